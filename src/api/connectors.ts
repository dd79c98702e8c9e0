import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConnectorSettings } from '../connectors/connector.ts';
import type { IcalFeeds } from '../connectors/ical/feeds.ts';
import type { ConnectorLogOutcome, ConnectorStore } from '../store/connector-port.ts';
import type { OutboxStore } from '../store/outbox-port.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';
import { listLimit } from './schemas.ts';

const OUTCOMES: ConnectorLogOutcome[] = ['sent', 'retry', 'dead', 'skipped'];

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: "the connector's id in connectors.yaml" } },
} as const;

export interface ConnectorRoutesDeps {
  settings: readonly ConnectorSettings[];
  store: ConnectorStore;
  outbox: Pick<OutboxStore, 'list'>;
  /** Full resend of a connector's window; resolves with how many jobs were written. */
  resync: (id: string) => Promise<number>;
  now: () => Date;
}

/**
 * The connectors for analysts: each one's settings (never its credentials), cursor and queue; its delivery
 * log (what was sent, when, and what the target answered); a full resend of its window; and re-driving
 * its dead jobs once the cause is fixed.
 */
export function connectorRoutes(app: FastifyInstance, deps: ConnectorRoutesDeps): void {
  const find = (id: string) => deps.settings.find((s) => s.id === id);
  const missing = (reply: FastifyReply, id: string) =>
    sendProblem(reply, 404, 'notFound', 'No such connector', `no connector ${id} in connectors.yaml`);

  app.get(
    '/api/connectors',
    {
      config: { access: STAFF },
      schema: {
        summary: 'Connectors, their cursors in the change feed and their queues',
        tags: ['connectors'],
      },
    },
    async () => {
      const items = [];
      for (const s of deps.settings) {
        const [pending, dead] = await Promise.all(
          (['pending', 'dead'] as const).map(async (state) =>
            (await deps.outbox.list({ state, channel: `connector:${s.kind}`, limit: 10_000 })).filter((d) =>
              d.target.startsWith(`${s.id}:`),
            ),
          ),
        );
        items.push({
          id: s.id,
          kind: s.kind,
          enabled: s.enabled,
          target: s.target,
          cadence: s.cadence,
          window: s.window,
          assignments: Object.fromEntries(s.assignments),
          personId: s.personId,
          include: s.include,
          cursor: (await deps.store.cursor(s.id)) ?? null,
          pending: pending.length,
          dead: dead.map((d) => ({
            id: d.id,
            target: d.target,
            attempts: d.attempts,
            lastError: d.lastError,
          })),
        });
      }
      return { items };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; outcome?: ConnectorLogOutcome } }>(
    '/api/connectors/:id/deliveries',
    {
      config: { access: STAFF },
      schema: {
        summary: "A connector's delivery log, newest first: what was sent, when, and the answer",
        tags: ['connectors'],
        params: idParams,
        querystring: {
          type: 'object',
          properties: { limit: listLimit(100), outcome: { type: 'string', enum: OUTCOMES } },
        },
      },
    },
    async (req, reply) => {
      if (!find(req.params.id)) return missing(reply, req.params.id);
      const entries = await deps.store.log(req.params.id, {
        limit: req.query.limit,
        outcomes: req.query.outcome ? [req.query.outcome] : undefined,
      });
      return { items: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/connectors/:id/resync',
    {
      config: { access: STAFF },
      schema: {
        summary: "Sends the connector's whole window again; the target ends up with exactly our schedule",
        tags: ['connectors'],
        params: idParams,
      },
    },
    async (req, reply) => {
      const s = find(req.params.id);
      if (!s) return missing(reply, req.params.id);
      if (!s.enabled)
        return sendProblem(reply, 409, 'connectorDisabled', 'Connector disabled', `${s.id} is not enabled`);
      return reply.code(202).send({ connector: s.id, jobs: await deps.resync(s.id) });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/connectors/:id/redrive',
    {
      config: { access: STAFF },
      schema: {
        summary: "Puts the connector's dead jobs back in the queue, due now",
        tags: ['connectors'],
        params: idParams,
      },
    },
    async (req, reply) => {
      if (!find(req.params.id)) return missing(reply, req.params.id);
      return {
        connector: req.params.id,
        redriven: await deps.store.redrive(req.params.id, 'all', deps.now()),
      };
    },
  );
}

export interface FeedRoutesDeps {
  settings: readonly ConnectorSettings[];
  store: ConnectorStore;
  feeds: IcalFeeds;
  now: () => Date;
}

/**
 * iCalendar feeds: analysts hand out a feed URL per person or assignment (the token is shown once) and
 * revoke it; calendar clients fetch `GET /api/feeds/<token>.ics` with no session: the token is the key,
 * so the route is public and answers an unknown or revoked token like a missing page.
 */
export function feedRoutes(app: FastifyInstance, deps: FeedRoutesDeps): void {
  const ical = (id: string) => deps.settings.find((s) => s.id === id && s.kind === 'ical');
  const missing = (reply: FastifyReply, id: string) =>
    sendProblem(
      reply,
      404,
      'notFound',
      'No such feed connector',
      `no ical connector ${id} in connectors.yaml`,
    );

  app.post<{ Params: { id: string }; Body: { kind: 'person' | 'assignment'; id: string } }>(
    '/api/connectors/:id/feeds',
    {
      config: { access: STAFF },
      schema: {
        summary: 'A new feed URL for one person or one assignment; the token is shown only here',
        tags: ['connectors'],
        params: idParams,
        body: {
          type: 'object',
          required: ['kind', 'id'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['person', 'assignment'] },
            id: { type: 'string', minLength: 1, description: 'a person id or an assignment id' },
          },
        },
      },
    },
    async (req, reply) => {
      const connector = ical(req.params.id);
      if (!connector?.enabled) return missing(reply, req.params.id);
      const token = await deps.feeds.issue({
        connectorId: connector.id,
        kind: req.body.kind,
        id: req.body.id,
      });
      return reply.code(201).send({ token, url: `/api/feeds/${token}.ics`, subject: req.body });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/connectors/:id/feeds',
    {
      config: { access: STAFF },
      schema: {
        summary: "A feed connector's tokens (as hashes), with their subjects",
        tags: ['connectors'],
        params: idParams,
      },
    },
    async (req, reply) => {
      if (!ical(req.params.id)) return missing(reply, req.params.id);
      const tokens = await deps.store.feedTokens(req.params.id);
      return {
        items: tokens.map((t) => ({
          tokenHash: t.tokenHash,
          kind: t.kind,
          id: t.id,
          createdAt: t.createdAt.toISOString(),
          revokedAt: t.revokedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.delete<{ Params: { id: string; hash: string } }>(
    '/api/connectors/:id/feeds/:hash',
    {
      config: { access: STAFF },
      schema: {
        summary: 'Revokes a feed URL: it answers 404 from now on',
        tags: ['connectors'],
        params: {
          type: 'object',
          required: ['id', 'hash'],
          properties: { id: idParams.properties.id, hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
        },
      },
    },
    async (req, reply) => {
      if (!ical(req.params.id)) return missing(reply, req.params.id);
      const revoked = await deps.store.revokeFeedToken(req.params.hash, deps.now());
      if (!revoked)
        return sendProblem(reply, 404, 'notFound', 'No such feed', 'no live feed with that token hash');
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { token: string } }>(
    '/api/feeds/:token',
    {
      config: { access: 'public' },
      schema: {
        summary: 'An iCalendar feed; the token in the URL is the key',
        tags: ['connectors'],
        params: {
          type: 'object',
          required: ['token'],
          properties: { token: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (req, reply) => {
      const text = await deps.feeds.render(req.params.token.replace(/\.ics$/, ''));
      if (text === undefined) return sendProblem(reply, 404, 'notFound', 'No such feed');
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(text);
    },
  );
}
