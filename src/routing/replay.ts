/**
 * Replay: stored traffic through draft rules, nothing sent and nothing stored, compared with what the
 * running rules did to the same messages. For each message and rule, what the draft would raise is
 * compared with the alert stored for it: an alert that would appear, one that would vanish, or one that
 * would go to someone else (first recipients only; escalation steps come later in both).
 */
import type { AlertStore } from '../store/alert-port.ts';
import type { StoredMessage } from '../store/port.ts';
import type { DryRunResult } from './dry-run.ts';

export type ReplayChange =
  | { kind: 'appear'; ruleId: string; title: string; recipients: string[] }
  | { kind: 'vanish'; ruleId: string; alertId: number; title: string; recipients: string[] }
  | {
      kind: 'redirect';
      ruleId: string;
      alertId: number;
      title: string;
      before: string[];
      after: string[];
    };

export interface ReplayedMessage {
  id: number;
  receivedAt: Date;
  type: string;
  controlId: string;
  mrn: string | null;
  status: string;
  draftOutcome: DryRunResult['outcome'];
  changes: ReplayChange[];
}

export interface ReplayReport {
  messages: number;
  changed: number;
  appear: number;
  vanish: number;
  redirect: number;
  items: ReplayedMessage[];
}

/**
 * `draftRun` is a dry run against the draft rules at the instant the message was routed (who was on call
 * then), so a difference is the rules' doing, not the schedule's.
 */
export async function replay(
  messages: readonly StoredMessage[],
  deps: {
    alerts: Pick<AlertStore, 'forMessage' | 'recipients'>;
    /** `at`: when the running rules routed it (its first alert's time), else when it arrived. */
    draftRun: (m: StoredMessage, at: Date) => Promise<DryRunResult>;
    mrnOf?: (m: StoredMessage) => string | null;
  },
): Promise<ReplayReport> {
  const report: ReplayReport = { messages: 0, changed: 0, appear: 0, vanish: 0, redirect: 0, items: [] };
  for (const m of messages) {
    report.messages += 1;
    const stored = await deps.alerts.forMessage(m.id);
    const draft = await deps.draftRun(m, stored[0]?.createdAt ?? m.receivedAt);
    const wouldRaise = new Map(
      draft.matches
        .filter((x) => !x.filtered)
        .map((x) => [x.ruleId, { title: x.title, recipients: x.recipients.map((r) => r.personId).sort() }]),
    );
    const changes: ReplayChange[] = [];
    for (const alert of stored) {
      const first = (await deps.alerts.recipients(alert.id))
        .filter((r) => r.step === 0)
        .map((r) => r.personId)
        .sort();
      const now = wouldRaise.get(alert.ruleId);
      if (!now) {
        changes.push({
          kind: 'vanish',
          ruleId: alert.ruleId,
          alertId: alert.id,
          title: alert.title,
          recipients: first,
        });
        continue;
      }
      wouldRaise.delete(alert.ruleId);
      if (now.recipients.join('\n') !== first.join('\n'))
        changes.push({
          kind: 'redirect',
          ruleId: alert.ruleId,
          alertId: alert.id,
          title: alert.title,
          before: first,
          after: now.recipients,
        });
    }
    // A message routed with no alert of its own had its match folded into an earlier open alert (same
    // dedup key) or a batch: what the draft raises for it is not new.
    if (stored.length > 0 || m.status !== 'routed')
      for (const [ruleId, x] of wouldRaise) changes.push({ kind: 'appear', ruleId, ...x });
    for (const c of changes) report[c.kind] += 1;
    if (changes.length) report.changed += 1;
    report.items.push({
      id: m.id,
      receivedAt: m.receivedAt,
      type: `${m.messageType}^${m.triggerEvent}`,
      controlId: m.controlId,
      mrn: deps.mrnOf?.(m) ?? null,
      status: m.status,
      draftOutcome: draft.outcome,
      changes,
    });
  }
  return report;
}
