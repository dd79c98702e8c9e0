/**
 * An immutable, loaded set of rules and escalation policies. The routing core takes the current set
 * once per message and keeps it for that message, so a reload in the middle of an evaluation changes
 * nothing for it: the old set stays whole until nobody holds it.
 *
 * Order: filter rules are tried first, wherever they stand; one that matches drops the message and
 * nothing else is evaluated (a test patient must never page a real doctor, whatever the file order).
 * Then every other rule in order (files by name, rules in file order); each one that matches gives a
 * RuleMatch, and a rule with `stop: true` ends the evaluation.
 */
import type { CompiledRule, RuleOutcome } from './compiled-rule.ts';
import type { EscalationPolicy, EvaluationInput, Rule, RuleMatch, RuleTrace } from './types.ts';

export interface RuleSetParts {
  rules: readonly CompiledRule[];
  policies: ReadonlyMap<string, EscalationPolicy>;
  /** Fingerprint of the files the set was loaded from; recorded on alerts to say which rules routed them. */
  version: string;
  timezone: string;
  /**
   * Told when a rule's `when` fails while running (e.g. int('') on an empty field): the rule then does
   * not match, and this lets the routing core log it rather than let it pass in silence.
   */
  onRuleError?: (rule: Rule, error: string) => void;
}

export interface Explanation {
  matches: RuleMatch[];
  /** Every rule, in evaluation order (filters first), with what it made of the message. */
  traces: RuleTrace[];
}

export class RuleSet {
  readonly version: string;
  readonly timezone: string;
  readonly rules: readonly Rule[];
  readonly policies: ReadonlyMap<string, EscalationPolicy>;
  private readonly filters: readonly CompiledRule[];
  private readonly alerting: readonly CompiledRule[];
  private readonly byId: ReadonlyMap<string, Rule>;
  private readonly onRuleError?: (rule: Rule, error: string) => void;

  constructor(parts: RuleSetParts) {
    this.version = parts.version;
    this.timezone = parts.timezone;
    this.policies = parts.policies;
    this.rules = Object.freeze(parts.rules.map((r) => r.rule));
    this.filters = parts.rules.filter((r) => r.rule.filter);
    this.alerting = parts.rules.filter((r) => !r.rule.filter);
    this.byId = new Map(this.rules.map((r) => [r.id, r]));
    this.onRuleError = parts.onRuleError;
    Object.freeze(this);
  }

  /** A set with no rules: every message is unrouted. */
  static empty(timezone = 'America/New_York'): RuleSet {
    return new RuleSet({ rules: [], policies: new Map(), version: 'empty', timezone });
  }

  rule(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  policy(id: string): EscalationPolicy | undefined {
    return this.policies.get(id);
  }

  /** The rules that match a message; [] when none does. A filter match comes alone, `filtered: true`. */
  evaluate(input: EvaluationInput): RuleMatch[] {
    return this.run(input, undefined);
  }

  /** Like evaluate, and also what every rule made of the message, for the dry run's "why (not)". */
  explain(input: EvaluationInput): Explanation {
    const traces: RuleTrace[] = [];
    return { matches: this.run(input, traces), traces };
  }

  private run(input: EvaluationInput, traces: RuleTrace[] | undefined): RuleMatch[] {
    const at = input.at ?? Date.now();
    const trace = traces !== undefined;
    let done = false;
    const matches: RuleMatch[] = [];
    for (const group of [this.filters, this.alerting]) {
      for (const compiled of group) {
        if (done) {
          traces?.push({
            ruleId: compiled.rule.id,
            at: compiled.rule.at,
            matched: false,
            reasons: [],
            skipped: true,
          });
          continue;
        }
        let outcome = compiled.test(input, at, trace);
        // The fast pass gathers no reasons; a match is rare enough to run again and say why.
        if (outcome.ok && !trace) outcome = compiled.test(input, at, true);
        traces?.push(toTrace(compiled.rule, outcome));
        if (outcome.error !== undefined && !trace) this.onRuleError?.(compiled.rule, outcome.error);
        if (!outcome.ok) continue;
        const policy = compiled.rule.escalationPolicyId
          ? this.policies.get(compiled.rule.escalationPolicyId)
          : undefined;
        matches.push(compiled.toMatch(input, outcome, policy));
        if (compiled.rule.filter || compiled.rule.stop) done = true;
      }
    }
    return matches;
  }
}

function toTrace(rule: Rule, outcome: RuleOutcome): RuleTrace {
  const trace: RuleTrace = { ruleId: rule.id, at: rule.at, matched: outcome.ok, reasons: outcome.reasons };
  if (outcome.failedOn !== undefined) trace.failedOn = outcome.failedOn;
  if (outcome.error !== undefined) trace.error = outcome.error;
  return trace;
}
