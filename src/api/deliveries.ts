import type { FastifyInstance } from 'fastify';
import type { Outbox, OutboxState } from '../delivery/outbox/outbox.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';

const STATES: OutboxState[] = ['pending', 'sent', 'dead'];

/**
 * Outbound deliveries for analysts: pages to carriers and PCD-05 reports, with their state. `?state=dead`
 * is the dead-letter list: what could not be delivered after every retry, with the last error. Payloads
 * (page texts) are not shown here; the alert's timeline says what was paged.
 */
export function deliveryRoutes(app: FastifyInstance, deps: { outbox: Outbox }): void {
  app.get('/api/deliveries', { config: { access: STAFF } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const state = q.state as OutboxState | undefined;
    if (state && !STATES.includes(state))
      return sendProblem(reply, 400, 'Invalid query', `state must be one of ${STATES.join(', ')}`);
    const alertId = q.alert === undefined ? undefined : Number(q.alert);
    if (alertId !== undefined && !Number.isInteger(alertId))
      return sendProblem(reply, 400, 'Invalid query', 'alert must be an alert id');
    const limit = Math.min(Number(q.limit ?? 100) || 100, 1000);
    const items = await deps.outbox.list({ state, channel: q.channel, alertId, limit });
    return {
      items: items.map((d) => ({
        id: d.id,
        channel: d.channel,
        target: d.target,
        alertId: d.alertId,
        state: d.state,
        attempts: d.attempts,
        lastError: d.lastError,
        result: d.result,
        dueAt: d.dueAt.toISOString(),
        createdAt: d.createdAt.toISOString(),
        updatedAt: d.updatedAt.toISOString(),
      })),
    };
  });
}
