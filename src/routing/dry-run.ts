import { Hl7Message, type Hl7ParseError } from '../protocols/hl7/index.ts';
import type { Clock } from './clock.ts';
import { patientFromMessage } from './patient-context.ts';
import type { RecipientResolver } from './recipient-resolver.ts';
import type { RuleSet } from './rules/rule-set.ts';
import type { RuleTrace } from './rules/types.ts';

export interface DryRunResult {
  parsed: boolean;
  error?: { code: string; message: string };
  message?: { type: string; controlId: string; sendingApplication: string; sendingFacility: string };
  rulesVersion: string;
  at: string;
  outcome: 'alert' | 'filtered' | 'unrouted' | 'unparseable';
  matches: Array<{
    ruleId: string;
    filtered: boolean;
    priority: string;
    title: string;
    body: string;
    escalationPolicy: string | null;
    dedupKey: string | null;
    batchMinutes: number | null;
    reasons: string[];
    recipients: Array<{ personId: string; reason: string }>;
    /** Why a recipient spec found nobody (nobody on call, no care team member, …). */
    notes: string[];
  }>;
  traces: RuleTrace[];
}

/**
 * What routing would do with a message, sending nothing and storing nothing: which rules matched and why,
 * who the recipients would be and why (which schedule slot, which care-team entry), and why other rules
 * did not match.
 */
export async function dryRun(
  raw: Buffer | string,
  deps: { rules: RuleSet; resolver: RecipientResolver; clock: Clock; listener?: string; at?: Date },
): Promise<DryRunResult> {
  const at = deps.at ?? deps.clock.now();
  const base = { rulesVersion: deps.rules.version, at: at.toISOString() };
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(raw);
  } catch (err) {
    const e = err as Hl7ParseError;
    return {
      ...base,
      parsed: false,
      error: { code: e.code ?? '207', message: e.message },
      outcome: 'unparseable',
      matches: [],
      traces: [],
    };
  }
  const h = message.header;
  const { matches, traces } = deps.rules.explain({
    message,
    listener: deps.listener ?? 'mllp',
    at: at.getTime(),
  });
  const patient = patientFromMessage(message);
  const out: DryRunResult['matches'] = [];
  for (const m of matches) {
    const { recipients, notes } = m.filtered
      ? { recipients: [], notes: [] }
      : await deps.resolver.resolveAll(m.recipients, { patient, at });
    out.push({
      ruleId: m.rule.id,
      filtered: m.filtered,
      priority: m.priority,
      title: m.title,
      body: m.body,
      escalationPolicy: m.escalationPolicy?.id ?? null,
      dedupKey: m.dedupKey ?? null,
      batchMinutes: m.batchMinutes ?? null,
      reasons: m.reasons,
      recipients,
      notes,
    });
  }
  return {
    ...base,
    parsed: true,
    message: {
      type: `${h.messageType}^${h.triggerEvent}`,
      controlId: h.controlId,
      sendingApplication: h.sendingApplication,
      sendingFacility: h.sendingFacility,
    },
    outcome: matches.length === 0 ? 'unrouted' : matches[0].filtered ? 'filtered' : 'alert',
    matches: out,
    traces,
  };
}
