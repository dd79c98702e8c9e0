/**
 * One rule, compiled: header matchers as sets, field conditions grouped by segment, `during` windows,
 * the CEL `when`, and the templates. Evaluation runs the cheapest checks first and stops at the first
 * that fails; reasons are gathered only when asked for (the dry run), so the hot path allocates little.
 */
import type { DuringWindows } from './during.ts';
import type { FieldConditions } from './field-conditions.ts';
import type { Template, TemplateScope } from './template.ts';
import type { EscalationPolicy, EvaluationInput, RoutableMessage, Rule, RuleMatch } from './types.ts';
import { describeCelError, type WhenExpression } from './when-expression.ts';

type SegmentLike = ReturnType<RoutableMessage['segments']>[number];

/** Header conditions: each a set of accepted values, or undefined when the rule does not ask. */
export interface HeaderMatchers {
  listener?: ReadonlySet<string>;
  type?: ReadonlySet<string>;
  trigger?: ReadonlySet<string>;
  sendingFacility?: ReadonlySet<string>;
  sendingApplication?: ReadonlySet<string>;
}

export interface RuleTemplates {
  title?: Template;
  body?: Template;
  dedupKey?: Template;
  batchKey?: Template;
}

export interface RuleParts {
  rule: Rule;
  header: HeaderMatchers;
  fields: FieldConditions;
  during?: DuringWindows;
  when?: WhenExpression;
  templates: RuleTemplates;
}

export interface RuleOutcome {
  ok: boolean;
  reasons: string[];
  failedOn?: string;
  error?: string;
  segments?: Map<string, SegmentLike>;
}

/** Checked in this order: the cheapest and most selective first. */
const HEADER_CHECKS = ['listener', 'type', 'trigger', 'sendingFacility', 'sendingApplication'] as const;

export class CompiledRule {
  readonly rule: Rule;
  private readonly parts: RuleParts;

  constructor(parts: RuleParts) {
    this.parts = parts;
    this.rule = parts.rule;
  }

  /** Does the message match? With `trace`, says why (or why not) in plain words. */
  test(input: EvaluationInput, at: number, trace: boolean): RuleOutcome {
    const reasons: string[] = [];
    const { message, listener } = input;
    const h = message.header;
    const header = this.parts.header;
    for (const key of HEADER_CHECKS) {
      const accepted = header[key];
      if (accepted === undefined) continue;
      const actual =
        key === 'listener'
          ? listener
          : key === 'type'
            ? h.messageType
            : key === 'trigger'
              ? h.triggerEvent
              : key === 'sendingFacility'
                ? h.sendingFacility
                : h.sendingApplication;
      if (!accepted.has(actual)) {
        return {
          ok: false,
          reasons,
          failedOn: trace ? `${key} is "${actual}", not ${list(accepted)}` : undefined,
        };
      }
      if (trace) reasons.push(`${key} is ${actual}`);
    }

    const fields = this.parts.fields.evaluate(message, trace);
    reasons.push(...fields.reasons);
    if (!fields.ok) return { ok: false, reasons, failedOn: fields.failedOn };

    const during = this.parts.during;
    if (during) {
      const window = during.holdsAt(at);
      if (window === undefined) {
        return { ok: false, reasons, failedOn: trace ? `not ${during.describe()}` : undefined };
      }
      if (trace) reasons.push(window);
    }

    const when = this.parts.when;
    if (when) {
      let holds: boolean;
      try {
        holds = when.holds(this.celContext(when, input, fields.segments));
      } catch (e) {
        // A run-time failure (e.g. int('') on an empty field) means "does not match"; the dry run shows it.
        return { ok: false, reasons, failedOn: `when: ${when.source}`, error: describeCelError(e) };
      }
      if (!holds)
        return { ok: false, reasons, failedOn: trace ? `when: ${when.source} is false` : undefined };
      if (trace) reasons.push(`when: ${when.source} is true`);
    }
    return { ok: true, reasons, segments: fields.segments };
  }

  /** The match the routing core acts on: texts rendered from the segments the conditions matched in. */
  toMatch(input: EvaluationInput, outcome: RuleOutcome, policy: EscalationPolicy | undefined): RuleMatch {
    const rule = this.rule;
    const scope = this.scope(input, outcome.segments);
    const t = this.parts.templates;
    const title = t.title?.render(scope) ?? rule.description ?? defaultTitle(input);
    const match: RuleMatch = {
      rule,
      filtered: rule.filter,
      recipients: rule.recipients,
      priority: rule.priority,
      title,
      body: t.body?.render(scope) ?? '',
      reasons: outcome.reasons,
    };
    if (policy) match.escalationPolicy = policy;
    if (t.dedupKey) {
      const key = t.dedupKey.render(scope, true);
      if (key !== undefined) {
        match.dedupKey = `${rule.id}:${key}`;
        match.dedupWindowMinutes = rule.dedupWindowMinutes;
      } else {
        match.reasons = [
          ...outcome.reasons,
          'no dedup: a value the dedup key names is missing from the message',
        ];
      }
    }
    if (rule.batch) {
      match.batchMinutes = rule.batch.minutes;
      const key = t.batchKey?.render(scope);
      match.batchKey = key ? `${rule.id}:${key}` : rule.id;
    }
    return match;
  }

  private scope(input: EvaluationInput, segments: Map<string, SegmentLike> | undefined): TemplateScope {
    const message = input.message;
    return {
      message,
      listener: input.listener,
      read: (path) => path.firstValue(message, segments?.get(path.segment)),
    };
  }

  /**
   * The CEL variables. Only the paths the expression names are read: it can name no other, since
   * fields[...] and values[...] take quoted paths that were collected when it compiled.
   */
  private celContext(when: WhenExpression, input: EvaluationInput, segments: Map<string, SegmentLike>) {
    const h = input.message.header;
    const fields = new Map<string, string>();
    const values = new Map<string, string[]>();
    for (const p of when.fieldPaths) fields.set(p.text, p.firstValue(input.message, segments.get(p.segment)));
    for (const p of when.valuePaths) values.set(p.text, p.allValues(input.message));
    return {
      messageType: h.messageType,
      trigger: h.triggerEvent,
      sendingApplication: h.sendingApplication,
      sendingFacility: h.sendingFacility,
      controlId: h.controlId,
      listener: input.listener,
      fields,
      values,
    };
  }
}

function list(values: ReadonlySet<string>): string {
  return values.size === 1 ? `"${[...values][0]}"` : `one of ${[...values].join(', ')}`;
}

function defaultTitle(input: EvaluationInput): string {
  const h = input.message.header;
  const event = h.triggerEvent ? `${h.messageType}^${h.triggerEvent}` : h.messageType;
  return `${event} from ${h.sendingApplication || 'unknown'}${h.sendingFacility ? ` at ${h.sendingFacility}` : ''}`;
}
