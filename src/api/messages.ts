import type { FastifyInstance } from 'fastify';
import { Hl7Message } from '../protocols/hl7/index.ts';
import type { MessageStatus, Store } from '../store/port.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';
import { dateTime, idParams, problem } from './schemas.ts';

const statuses: MessageStatus[] = ['received', 'routed', 'filtered', 'unrouted', 'failed'];

interface InboxQuery {
  controlId?: string;
  sender?: string;
  type?: string;
  status?: MessageStatus;
  since?: string;
  until?: string;
  listener?: string;
  mrn?: string;
  text?: string;
  countUpTo?: number;
  limit: number;
  offset: number;
}

const INBOX_SCHEMA = {
  summary: 'The inbox, newest first, with the total that matches',
  tags: ['messages'],
  querystring: {
    type: 'object',
    properties: {
      controlId: { type: 'string', description: 'MSH-10' },
      sender: { type: 'string', description: 'the sending application or facility' },
      type: { type: 'string', description: "'ORU' or 'ORU^R01'" },
      status: { type: 'string', enum: statuses },
      since: dateTime('received at or after'),
      until: dateTime('received before'),
      listener: { type: 'string', description: "the listener that took it: 'mllp', 'wctp', …" },
      mrn: { type: 'string', description: "the patient's MRN (PID-3)" },
      text: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'words in the raw message, in order',
      },
      countUpTo: {
        type: 'integer',
        minimum: 1,
        description: 'count the matches only this far; beyond it the answer says totalExact: false',
      },
      limit: { type: 'integer', minimum: 0, maximum: 1000, default: 50 },
      offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    },
  },
};

const MESSAGE_SCHEMA = {
  summary: 'One stored message: metadata, the raw message and a parsed view (audited)',
  tags: ['messages'],
  params: idParams('message'),
  response: { 404: problem('No stored message has that id') },
};

/** `GET /api/messages` and `GET /api/messages/:id`: the inbox holds PHI, for interface analysts and admins. */
export function messageRoutes(app: FastifyInstance, store: Store, actorOf: (req: unknown) => string): void {
  app.get<{ Querystring: InboxQuery }>(
    '/api/messages',
    { config: { access: STAFF }, schema: INBOX_SCHEMA },
    async (req) => {
      const q = req.query;
      const { items, total, totalExact } = await store.messages.list({
        controlId: q.controlId,
        sender: q.sender,
        type: q.type,
        status: q.status,
        since: q.since === undefined ? undefined : new Date(q.since),
        until: q.until === undefined ? undefined : new Date(q.until),
        listener: q.listener,
        mrn: q.mrn,
        text: q.text,
        countUpTo: q.countUpTo,
        limit: q.limit,
        offset: q.offset,
      });
      // A search by patient or by words reads PHI across messages: who searched for what is kept.
      if (q.mrn !== undefined || q.text !== undefined)
        await store.audit.record({
          at: new Date(),
          actor: actorOf(req),
          action: 'message.search',
          subject: q.mrn === undefined ? 'messages' : `patient:${q.mrn}`,
          detail: q.text === undefined ? undefined : `words: ${q.text}`,
        });
      return { items, total, totalExact };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/messages/:id',
    { config: { access: STAFF }, schema: MESSAGE_SCHEMA },
    async (req, reply) => {
      const id = req.params.id;
      const message = await store.messages.get(id);
      if (!message)
        return sendProblem(reply, 404, 'notFound', 'Message not found', `no stored message has id ${id}`);
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
    },
  );
}
