import type { Delivery, OutboxState } from '../outbox-port.ts';

/** Outbox rows as both stores keep them (migration 007), and how they read back. */
export interface DeliveryRow {
  id: number;
  channel: string;
  target: string;
  payload: string;
  alert_id: number | null;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  result: string | null;
  due_at: number;
  created_at: number;
  updated_at: number;
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    channel: r.channel,
    target: r.target,
    payload: JSON.parse(r.payload) as unknown,
    alertId: r.alert_id,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    result: r.result,
    dueAt: new Date(r.due_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/**
 * Whether some target has more than `share` of these rows (the first due rows): only then must the store
 * look for each other target's rows, so that one target's backlog does not hold up the rest.
 */
export function overShare(rows: ReadonlyArray<{ target: string }>, share: number): boolean {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const n = (counts.get(r.target) ?? 0) + 1;
    if (n > share) return true;
    counts.set(r.target, n);
  }
  return false;
}
