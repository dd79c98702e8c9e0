/**
 * Batching rules: their messages are collected in the store for the rule's window and go out as one
 * digest alert when it closes, instead of one page per message.
 */
import type { Hl7Message } from '../protocols/hl7/index.ts';
import type { Alert } from '../store/alert-port.ts';
import type { PatientContext } from './model.ts';
import { patientFromMessage } from './patient-context.ts';
import type { RouterDeps } from './router-deps.ts';
import type { RuleMatch } from './rules/types.ts';

/** One collected item of a batching rule, kept in the store until the digest goes out. */
interface BatchItem {
  messageId: number;
  title: string;
  body: string;
  patient?: PatientContext;
}

export class BatchDigests {
  constructor(private readonly deps: Pick<RouterDeps, 'alerts' | 'service' | 'rules' | 'clock'>) {}

  /**
   * Adds one message to its rule's batch (opened now when none is open) and returns the outcome shown
   * with it; undefined when the rule does not batch.
   */
  async collect(
    match: RuleMatch,
    message: Hl7Message,
    messageId: number,
    now: Date,
  ): Promise<string | undefined> {
    const { batchMinutes, batchKey } = match;
    if (!batchMinutes || !batchKey) return undefined;
    const item: BatchItem = {
      messageId,
      title: match.title,
      body: match.body,
      patient: patientFromMessage(message),
    };
    const batch = await this.deps.alerts.addToBatch(
      batchKey,
      match.rule.id,
      new Date(now.getTime() + batchMinutes * 60_000),
      item,
    );
    return `batched under ${batchKey} (${batch.items.length} so far, digest at ${batch.dueAt.toISOString()})`;
  }

  /** Sends the digest of every batch whose window has closed. */
  async sendDue(): Promise<Alert[]> {
    const { deps } = this;
    const raised: Alert[] = [];
    for (const batch of await deps.alerts.takeDueBatches(deps.clock.now())) {
      const rule = deps.rules().rule(batch.ruleId);
      const items = batch.items as BatchItem[];
      const policy = rule?.escalationPolicyId ? deps.rules().policy(rule.escalationPolicyId) : undefined;
      raised.push(
        await deps.service.raise({
          messageId: null,
          source: 'batch',
          ruleId: batch.ruleId,
          title: `${items.length} × ${items[0]?.title ?? batch.ruleId}`,
          body: items.map((i) => `• ${i.title}${i.body ? ` — ${i.body}` : ''}`).join('\n'),
          priority: rule?.priority ?? 'normal',
          // Recipients are resolved against the batch's first message: key a batch by whatever decides
          // who gets it (unit, primary care provider) when one rule's messages go to different people.
          patient: items[0]?.patient,
          recipients: rule?.recipients ?? [],
          policy,
          reasons: [
            `digest of ${items.length} message(s) collected by rule ${batch.ruleId}: ${items.map((i) => i.messageId).join(', ')}`,
          ],
        }),
      );
    }
    return raised;
  }
}
