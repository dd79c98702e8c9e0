import type { FastifyInstance } from 'fastify';
import { Hl7Message } from '../protocols/hl7/index.ts';
import type { MessageQuery, MessageStatus, Store } from '../store/port.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';

const statuses: MessageStatus[] = ['received', 'routed', 'filtered', 'unrouted', 'failed'];

/** `GET /api/messages` and `GET /api/messages/:id`: the inbox holds PHI, for interface analysts and admins. */
export function messageRoutes(app: FastifyInstance, store: Store, actorOf: (req: unknown) => string): void {
  app.get('/api/messages', { config: { access: STAFF } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const problems: Array<{ key: string; message: string }> = [];
    const date = (key: string): Date | undefined => {
      const v = q[key];
      if (v === undefined || v === '') return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) problems.push({ key, message: 'must be an ISO 8601 date-time' });
      return d;
    };
    const query: MessageQuery = {
      controlId: q.controlId || undefined,
      sender: q.sender || undefined,
      type: q.type || undefined,
      since: date('since'),
      until: date('until'),
      limit: 50,
      offset: 0,
    };
    if (q.status) {
      if (statuses.includes(q.status as MessageStatus)) query.status = q.status as MessageStatus;
      else problems.push({ key: 'status', message: `must be one of ${statuses.join(', ')}` });
    }
    for (const [key, max] of [
      ['limit', 1000],
      ['offset', Number.MAX_SAFE_INTEGER],
    ] as const) {
      if (q[key] === undefined) continue;
      const n = Number(q[key]);
      if (!Number.isInteger(n) || n < 0 || n > max)
        problems.push({ key, message: `must be a whole number from 0 to ${max}` });
      else query[key] = n;
    }
    if (problems.length) return sendProblem(reply, 400, 'Invalid query', undefined, { errors: problems });
    const { items, total } = await store.messages.list(query);
    return { items, total };
  });

  app.get('/api/messages/:id', { config: { access: STAFF } }, async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    if (!Number.isInteger(id) || id < 1)
      return sendProblem(reply, 400, 'Invalid message id', 'the id must be a positive whole number');
    const message = await store.messages.get(id);
    if (!message) return sendProblem(reply, 404, 'Message not found', `no stored message has id ${id}`);
    await store.audit.record({
      at: new Date(),
      actor: actorOf(req),
      action: 'message.view',
      subject: `message:${id}`,
    });
    const { raw, ...meta } = message;
    let parsed: unknown;
    let parseError: string | undefined;
    try {
      parsed = Hl7Message.parse(raw).toView();
    } catch (err) {
      parseError = (err as Error).message;
    }
    return { ...meta, size: raw.length, raw: raw.toString('utf8'), parsed, parseError };
  });
}
