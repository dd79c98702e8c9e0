import type { Alert, AlertStore, RecipientState } from '../../store/alert-port.ts';

/** An alert as a clinician's device sees it (docs/websocket.md). */
export interface AlertView {
  id: number;
  title: string;
  body: string;
  priority: Alert['priority'];
  status: Alert['status'];
  createdAt: string;
  myState: RecipientState | null;
  patient: Record<string, unknown> | null;
  recipients: Array<{ personId: string; name: string; state: RecipientState }>;
  acknowledgedBy: { personId: string; name: string } | null;
  choices: string[];
  actions: string[];
  callback: string | null;
}

export async function alertView(
  alerts: AlertStore,
  alert: Alert,
  personId: string | null,
  nameOf: (personId: string) => string | undefined,
): Promise<AlertView> {
  const recipients = await alerts.recipients(alert.id);
  const mine = personId ? recipients.find((r) => r.personId === personId) : undefined;
  const choices = Array.isArray(alert.context.choices) ? (alert.context.choices as string[]) : [];
  const open = alert.status === 'open';
  return {
    id: alert.id,
    title: alert.title,
    body: alert.body,
    priority: alert.priority,
    status: alert.status,
    createdAt: alert.createdAt.toISOString(),
    myState: mine?.state ?? null,
    patient: alert.patient,
    recipients: recipients.map((r) => ({
      personId: r.personId,
      name: nameOf(r.personId) ?? r.personId,
      state: r.state,
    })),
    acknowledgedBy: alert.acknowledgedBy
      ? { personId: alert.acknowledgedBy, name: nameOf(alert.acknowledgedBy) ?? alert.acknowledgedBy }
      : null,
    choices,
    actions:
      open && mine && mine.state !== 'rejected'
        ? choices.length
          ? ['accept', 'reject', 'acknowledge', 'reply']
          : ['accept', 'reject', 'acknowledge']
        : [],
    callback: typeof alert.context.callback === 'string' ? alert.context.callback : null,
  };
}
