import type { FastifyInstance } from 'fastify';
import type { OutboxState, OutboxStore } from '../store/outbox-port.ts';
import { STAFF } from './access.ts';
import { listLimit } from './schemas.ts';

const STATES: OutboxState[] = ['pending', 'sent', 'dead'];

interface DeliveryQuery {
  state?: OutboxState;
  channel?: string;
  alert?: number;
  limit: number;
}

const LIST_SCHEMA = {
  summary: 'Pages and PCD-05 reports with their state; state=dead is the dead-letter list',
  tags: ['deliveries'],
  querystring: {
    type: 'object',
    properties: {
      state: { type: 'string', enum: STATES },
      channel: { type: 'string', description: 'the outbound channel, as configured' },
      alert: { type: 'integer', minimum: 1, description: 'only the deliveries of this alert' },
      limit: listLimit(100),
    },
  },
};

/**
 * Outbound deliveries for analysts: pages to carriers and PCD-05 reports, with their state. `?state=dead`
 * is the dead-letter list: what could not be delivered after every retry, with the last error. Payloads
 * (page texts) are not shown here; the alert's timeline says what was paged.
 */
export function deliveryRoutes(app: FastifyInstance, deps: { outbox: Pick<OutboxStore, 'list'> }): void {
  app.get<{ Querystring: DeliveryQuery }>(
    '/api/deliveries',
    { config: { access: STAFF }, schema: LIST_SCHEMA },
    async (req) => {
      const { state, channel, alert, limit } = req.query;
      const items = await deps.outbox.list({ state, channel, alertId: alert, limit });
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
    },
  );
}
