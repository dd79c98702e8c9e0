import type { Alert, AlertRecipient, EscalationTimer, RecipientState } from '../alert-port.ts';

/** Alert rows as both stores keep them (migration 004), and how they read back. */
export interface AlertRow {
  id: number;
  message_id: number | null;
  source: string;
  rule_id: string;
  title: string;
  body: string;
  priority: Alert['priority'];
  patient: string | null;
  dedup_key: string | null;
  context: string;
  status: Alert['status'];
  created_at: number;
  updated_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

export const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  messageId: r.message_id,
  source: r.source,
  ruleId: r.rule_id,
  title: r.title,
  body: r.body,
  priority: r.priority,
  patient: r.patient ? JSON.parse(r.patient) : null,
  dedupKey: r.dedup_key,
  context: JSON.parse(r.context),
  status: r.status,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at === null ? null : new Date(r.acknowledged_at),
});

export const columnOf: Record<string, string> = {
  status: 'status',
  title: 'title',
  body: 'body',
  priority: 'priority',
  context: 'context',
  acknowledgedBy: 'acknowledged_by',
  acknowledgedAt: 'acknowledged_at',
};

export function toRecipient(r: Record<string, unknown>): AlertRecipient {
  return {
    alertId: r.alert_id as number,
    personId: r.person_id as string,
    state: r.state as RecipientState,
    step: r.step as number,
    reason: r.reason as string,
    notifiedAt: new Date(r.notified_at as number),
    updatedAt: new Date(r.updated_at as number),
  };
}

export function toTimer(r: Record<string, unknown>): EscalationTimer {
  return {
    alertId: r.alert_id as number,
    policy: JSON.parse(r.policy as string),
    ruleRecipients: JSON.parse(r.rule_recipients as string),
    nextStep: r.next_step as number,
    pass: r.pass as number,
    dueAt: new Date(r.due_at as number),
  };
}
