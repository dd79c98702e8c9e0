/**
 * The console's message browser, past the list and the raw view (messages.ts): the path one message took
 * (rules matched and not, alerts, recipients, deliveries, answers, each with its time), reprocessing
 * through the rules in force (a preview first, then for real), a dead-lettered page sent again, and an
 * export of a selection. Every view and action is audited under the analyst's name.
 */
import type { FastifyInstance } from 'fastify';
import type { DryRunResult } from '../routing/dry-run.ts';
import type { Delivery } from '../store/outbox-port.ts';
import type { Store, StoredMessage } from '../store/port.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';
import { idParams, problem } from './schemas.ts';

export interface MessageBrowserDeps {
  store: Pick<Store, 'messages' | 'alerts' | 'outbox' | 'audit'>;
  /** What the rules in force would do with a message arriving on `listener` at `at`, sending nothing. */
  dryRun: (raw: Buffer, listener: string, at: Date) => Promise<DryRunResult>;
  /** Hands a stored message to the routing core again and resolves once it has been routed. */
  routeAgain: (message: StoredMessage) => Promise<void>;
  now: () => Date;
}

/** Messages one reprocess or export may name at most. */
const MAX_SELECTION = 500;

const SELECTION = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_SELECTION,
  items: { type: 'integer', minimum: 1 },
  description: 'stored message ids',
} as const;

const actorOf = (req: { user?: { username: string } | null }) => req.user?.username ?? 'unknown';

export function messageBrowserRoutes(app: FastifyInstance, deps: MessageBrowserDeps): void {
  const audit = (req: object, action: string, subject: string, detail?: string) =>
    deps.store.audit.record({ at: deps.now(), actor: actorOf(req), action, subject, detail });

  app.get<{ Params: { id: number } }>(
    '/api/messages/:id/path',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'The path of one message: rules matched and not (why), alerts, recipients, deliveries, answers (audited)',
        tags: ['messages'],
        params: idParams('message'),
        response: { 404: problem('No stored message has that id') },
      },
    },
    async (req, reply) => {
      const message = await deps.store.messages.get(req.params.id);
      if (!message)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Message not found',
          `no stored message has id ${req.params.id}`,
        );
      await audit(req, 'message.path', `message:${message.id}`);
      return messagePath(message, deps);
    },
  );

  app.post<{ Body: { ids: number[]; confirm?: boolean } }>(
    '/api/messages/reprocess',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'Route stored messages again through the rules in force: without confirm, what would happen; with confirm, done (audited)',
        tags: ['messages'],
        body: {
          type: 'object',
          required: ['ids'],
          properties: {
            ids: SELECTION,
            confirm: { type: 'boolean', description: 'route for real (else a dry run)', default: false },
          },
        },
      },
    },
    async (req) => {
      const results = [];
      for (const id of req.body.ids) {
        const message = await deps.store.messages.get(id);
        if (!message) {
          results.push({ id, found: false });
          continue;
        }
        const before = await deps.store.alerts.forMessage(id);
        const preview = await deps.dryRun(message.raw, message.listener, deps.now());
        const warning = before.length
          ? `it already raised alert ${before.map((a) => a.id).join(', ')}: routing it again keeps those and raises no second alert for the same message`
          : null;
        if (!req.body.confirm) {
          results.push({
            id,
            found: true,
            preview: summarise(preview),
            existingAlerts: before.map((a) => a.id),
            warning,
          });
          continue;
        }
        await audit(req, 'message.reprocess', `message:${id}`, `status was ${message.status}`);
        await deps.routeAgain(message);
        const after = await deps.store.messages.get(id);
        const now = await deps.store.alerts.forMessage(id);
        const known = new Set(before.map((a) => a.id));
        results.push({
          id,
          found: true,
          status: after?.status,
          statusDetail: after?.statusDetail,
          newAlerts: now.filter((a) => !known.has(a.id)).map((a) => a.id),
          existingAlerts: before.map((a) => a.id),
          warning,
        });
      }
      return { confirmed: req.body.confirm === true, results };
    },
  );

  app.post<{ Body: { ids: number[]; format: 'hl7' | 'csv' } }>(
    '/api/messages/export',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'A selection as a file: the raw HL7 messages one after another, or a CSV of their metadata (audited)',
        tags: ['messages'],
        body: {
          type: 'object',
          required: ['ids', 'format'],
          properties: { ids: SELECTION, format: { type: 'string', enum: ['hl7', 'csv'] } },
        },
      },
    },
    async (req, reply) => {
      const found: StoredMessage[] = [];
      for (const id of req.body.ids) {
        const m = await deps.store.messages.get(id);
        if (m) found.push(m);
      }
      await audit(req, 'message.export', `messages:${found.map((m) => m.id).join(',')}`, req.body.format);
      const stamp = deps.now().toISOString().replace(/[:.]/g, '-');
      if (req.body.format === 'hl7') {
        // Each message's own bytes, CR-terminated, one after another: the file an HL7 tool reads back.
        const parts = found.flatMap((m) =>
          m.raw[m.raw.length - 1] === 0x0d ? [m.raw] : [m.raw, Buffer.from('\r')],
        );
        return reply
          .type('application/hl7-v2')
          .header('content-disposition', `attachment; filename="messages-${stamp}.hl7"`)
          .send(Buffer.concat(parts));
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="messages-${stamp}.csv"`)
        .send(metadataCsv(found));
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/deliveries/:id/resend',
    {
      config: { access: STAFF },
      schema: {
        summary: 'Send a dead-lettered delivery again as a new delivery (audited)',
        tags: ['deliveries'],
        params: idParams('delivery'),
        response: {
          404: problem('No delivery has that id'),
          409: problem('The delivery is not dead-lettered'),
        },
      },
    },
    async (req, reply) => {
      const dead = await deps.store.outbox.get(req.params.id);
      if (!dead)
        return sendProblem(
          reply,
          404,
          'notFound',
          'Delivery not found',
          `no delivery has id ${req.params.id}`,
        );
      if (dead.state !== 'dead')
        return sendProblem(
          reply,
          409,
          'deliveryNotDead',
          'Only a dead-lettered delivery is sent again',
          `delivery ${dead.id} is ${dead.state}`,
        );
      const [again] = await deps.store.outbox.add(
        [{ channel: dead.channel, target: dead.target, payload: dead.payload, alertId: dead.alertId }],
        deps.now(),
      );
      await audit(req, 'delivery.resend', `delivery:${dead.id}`, `sent again as delivery ${again?.id}`);
      return { resent: dead.id, delivery: again ? deliveryView(again) : null };
    },
  );
}

/** The whole path of one message, each step with its time. */
async function messagePath(message: StoredMessage, deps: MessageBrowserDeps) {
  const raised = await deps.store.alerts.forMessage(message.id);
  // Explained by the rules in force now, at the instant it was routed (its first alert) or else arrived:
  // rule windows and who was on call are read as they were then.
  const explainedAt = raised[0]?.createdAt ?? message.receivedAt;
  const explained = await deps.dryRun(message.raw, message.listener, explainedAt);
  const alerts = [];
  for (const alert of raised) {
    const [recipients, timeline, deliveries] = await Promise.all([
      deps.store.alerts.recipients(alert.id),
      deps.store.alerts.timeline(alert.id),
      deps.store.outbox.list({ alertId: alert.id, limit: 200 }),
    ]);
    alerts.push({
      id: alert.id,
      ruleId: alert.ruleId,
      title: alert.title,
      priority: alert.priority,
      status: alert.status,
      createdAt: alert.createdAt,
      acknowledgedBy: alert.acknowledgedBy,
      acknowledgedAt: alert.acknowledgedAt,
      recipients: recipients.map((r) => ({
        personId: r.personId,
        state: r.state,
        step: r.step,
        reason: r.reason,
        notifiedAt: r.notifiedAt,
        updatedAt: r.updatedAt,
      })),
      deliveries: deliveries.map(deliveryView),
      timeline: timeline.map((t) => ({ at: t.at, kind: t.kind, personId: t.personId, detail: t.detail })),
    });
  }
  return {
    id: message.id,
    receivedAt: message.receivedAt,
    listener: message.listener,
    peer: message.peer,
    status: message.status,
    statusDetail: message.statusDetail,
    updatedAt: message.updatedAt,
    // The ACK is built from the stored message and sent, not kept: what it said follows from the status.
    ack: {
      stored: false,
      note: 'ACKs are not stored; a stored message was answered AA (commit accept) once it was on the disk',
    },
    rules: {
      version: explained.rulesVersion,
      at: explainedAt,
      note: 'explained by the rules in force now, as at the time the message was routed',
      outcome: explained.outcome,
      error: explained.error,
      matches: explained.matches,
      traces: explained.traces,
    },
    alerts,
  };
}

/** A dry run cut to what an analyst confirms: outcome and, per rule, who. */
function summarise(r: DryRunResult) {
  return {
    outcome: r.outcome,
    rulesVersion: r.rulesVersion,
    error: r.error,
    matches: r.matches.map((m) => ({
      ruleId: m.ruleId,
      filtered: m.filtered,
      title: m.title,
      priority: m.priority,
      recipients: m.recipients,
      notes: m.notes,
      dedupKey: m.dedupKey,
    })),
  };
}

function deliveryView(d: Delivery) {
  return {
    id: d.id,
    channel: d.channel,
    target: d.target,
    state: d.state,
    attempts: d.attempts,
    lastError: d.lastError,
    result: d.result,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

const CSV_COLUMNS: Array<[string, (m: StoredMessage) => string]> = [
  ['id', (m) => String(m.id)],
  ['receivedAt', (m) => m.receivedAt.toISOString()],
  ['listener', (m) => m.listener],
  ['sendingApplication', (m) => m.sendingApplication],
  ['sendingFacility', (m) => m.sendingFacility],
  ['type', (m) => `${m.messageType}^${m.triggerEvent}`],
  ['controlId', (m) => m.controlId],
  ['status', (m) => m.status],
  ['statusDetail', (m) => m.statusDetail ?? ''],
  ['size', (m) => String(m.raw.length)],
];

/** RFC 4180: every value quoted; a leading = + - @ is prefixed with ' so a spreadsheet never runs it. */
export function metadataCsv(messages: readonly StoredMessage[]): string {
  const cell = (v: string) => `"${(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"`;
  const lines = [CSV_COLUMNS.map(([name]) => cell(name)).join(',')];
  for (const m of messages) lines.push(CSV_COLUMNS.map(([, value]) => cell(value(m))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
