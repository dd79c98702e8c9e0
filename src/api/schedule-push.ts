/**
 * The push API: a scheduling system (in the style of Lightning Bolt) sends shift changes as they happen
 * instead of waiting to be pulled. Under `/api/v1/schedules/:source`:
 *
 *   POST   …/shifts          add or update shifts by the system's own ids   (a delta)
 *   POST   …/shifts/delete   remove shifts by those ids                     (a delta)
 *   DELETE …/shifts/:id      remove one
 *   PUT    …/window          the complete schedule for [from, to)           (a window)
 *
 * Each call needs an access token from `POST /oauth/token` with the scope `schedules:write:<source>`
 * (RFC 6750: `WWW-Authenticate: Bearer error="invalid_token"` or `"insufficient_scope"` when refused).
 * A call is applied by the sync engine before it is answered, with the same mapping and guards as a pull,
 * and recorded in the change feed as done by `push:<client>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SourcePull, SourceShift } from '../schedules/sources/source.ts';
import { type FieldProblem, sendInvalidRequest, sendProblem } from './problem.ts';
import { writeScope } from './push-clients.ts';
import type { PushGrant, PushTokens } from './push-tokens.ts';
import {
  MAX_SHIFTS,
  OUTCOME,
  pushRoute,
  REFUSALS,
  SHIFT,
  type ShiftBody,
  SOURCE_PARAMS,
} from './schedule-push-schemas.ts';
import { dateTime } from './schemas.ts';

/** What the engine made of a push (ScheduleSyncEngine's SyncOutcome has this shape). */
export interface PushOutcome {
  status: string;
  message: string;
  counts?: object;
  unmapped?: ReadonlyArray<unknown>;
}

export interface SchedulePushDeps {
  tokens: PushTokens;
  /** Whether a push source of this id is configured. */
  isPushSource: (sourceId: string) => boolean;
  /** Applies a push like a pull; the wiring passes the sync engine's apply. */
  apply: (sourceId: string, pull: SourcePull, actor: string) => Promise<PushOutcome>;
}

export function schedulePushRoutes(app: FastifyInstance, given: SchedulePushDeps): void {
  const deps = { ...given, apply: inArrivalOrder(given.apply) };
  // The push token is checked here, not a session; before the body is read, so nobody gets it parsed.
  const grants = new WeakMap<FastifyRequest, PushGrant>();
  const config = { access: 'public' as const };
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => {
    const grant = authorize(req, reply, deps);
    if (grant) grants.set(req, grant);
    else return reply;
  };
  const grantOf = (req: FastifyRequest) => grants.get(req) as PushGrant;

  app.post<{ Params: { source: string }; Body: { shifts: ShiftBody[] } }>(
    '/api/v1/schedules/:source/shifts',
    {
      config,
      onRequest,
      schema: {
        ...pushRoute(
          'Add or update shifts',
          'Each shift is matched by its `id`: a new id adds it, a known one replaces it.',
        ),
        body: {
          type: 'object',
          required: ['shifts'],
          additionalProperties: false,
          properties: { shifts: { type: 'array', minItems: 1, maxItems: MAX_SHIFTS, items: SHIFT } },
        },
        response: { 200: OUTCOME, ...REFUSALS },
      },
    },
    async (req, reply) => {
      const grant = grantOf(req);
      const bad = shiftProblems(req.body.shifts);
      if (bad.length) return sendInvalidRequest(reply, bad);
      return applied(reply, deps, req.params.source, grant, {
        mode: 'delta',
        shifts: req.body.shifts.map(toShift),
        deleted: [],
      });
    },
  );

  app.post<{ Params: { source: string }; Body: { ids: string[] } }>(
    '/api/v1/schedules/:source/shifts/delete',
    {
      config,
      onRequest,
      schema: {
        ...pushRoute('Remove shifts by their ids', 'Ids not stored are ignored.'),
        body: {
          type: 'object',
          required: ['ids'],
          additionalProperties: false,
          properties: {
            ids: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_SHIFTS,
              items: { type: 'string', minLength: 1, maxLength: 200 },
            },
          },
        },
        response: { 200: OUTCOME, ...REFUSALS },
      },
    },
    async (req, reply) => {
      const grant = grantOf(req);
      return applied(reply, deps, req.params.source, grant, {
        mode: 'delta',
        shifts: [],
        deleted: [...new Set(req.body.ids)],
      });
    },
  );

  app.delete<{ Params: { source: string; id: string } }>(
    '/api/v1/schedules/:source/shifts/:id',
    {
      config,
      onRequest,
      schema: {
        ...pushRoute('Remove one shift by its id', 'An id not stored is ignored.'),
        params: {
          type: 'object',
          required: ['source', 'id'],
          properties: {
            ...SOURCE_PARAMS.properties,
            id: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: "the scheduling system's id of the shift",
            },
          },
        },
        response: { 200: OUTCOME, ...REFUSALS },
      },
    },
    async (req, reply) => {
      const grant = grantOf(req);
      return applied(reply, deps, req.params.source, grant, {
        mode: 'delta',
        shifts: [],
        deleted: [req.params.id],
      });
    },
  );

  app.put<{ Params: { source: string }; Body: { from: string; to: string; shifts: ShiftBody[] } }>(
    '/api/v1/schedules/:source/window',
    {
      config,
      onRequest,
      schema: {
        ...pushRoute(
          'Replace the whole schedule of a window',
          'Every stored shift of the source that overlaps [from, to) and is not listed is removed. An empty list clears the window, which the mass-delete guard may hold for review.',
        ),
        body: {
          type: 'object',
          required: ['from', 'to', 'shifts'],
          additionalProperties: false,
          properties: {
            from: dateTime('start of the window'),
            to: dateTime('end of the window, after from'),
            shifts: { type: 'array', maxItems: MAX_SHIFTS, items: SHIFT },
          },
        },
        response: { 200: OUTCOME, ...REFUSALS },
      },
    },
    async (req, reply) => {
      const grant = grantOf(req);
      const from = new Date(req.body.from);
      const to = new Date(req.body.to);
      const bad = shiftProblems(req.body.shifts);
      if (to <= from) bad.unshift({ key: 'to', message: 'must be after from' });
      else
        req.body.shifts.forEach((s, i) => {
          if (new Date(s.end) <= from || new Date(s.start) >= to)
            bad.push({ key: `shifts.${i}`, message: 'lies outside the window' });
        });
      if (bad.length) return sendInvalidRequest(reply, bad);
      return applied(reply, deps, req.params.source, grant, {
        mode: 'window',
        from,
        to,
        shifts: req.body.shifts.map(toShift),
      });
    },
  );
}

/** The grant of the request's bearer token, or undefined once the refusal is sent (RFC 6750 3). */
function authorize(req: FastifyRequest, reply: FastifyReply, deps: SchedulePushDeps): PushGrant | undefined {
  const source = (req.params as { source: string }).source;
  const scope = writeScope(source);
  const header = req.headers.authorization;
  const token = header ? /^Bearer +([^\s]+)\s*$/i.exec(header)?.[1] : undefined;
  if (!token) {
    reply.header('www-authenticate', `Bearer realm="switchboard", scope="${scope}"`);
    void sendProblem(reply, 401, 'invalidToken', 'Access token required', 'get one from POST /oauth/token');
    return undefined;
  }
  const check = deps.tokens.check(token);
  if (!check.ok) {
    reply.header(
      'www-authenticate',
      `Bearer realm="switchboard", error="invalid_token", error_description="${check.reason}"`,
    );
    void sendProblem(reply, 401, 'invalidToken', 'Access token refused', check.reason);
    return undefined;
  }
  if (!check.grant.scopes.includes(scope)) {
    reply.header(
      'www-authenticate',
      `Bearer realm="switchboard", error="insufficient_scope", scope="${scope}"`,
    );
    void sendProblem(
      reply,
      403,
      'insufficientScope',
      'Not allowed for this source',
      `the token lacks ${scope}`,
    );
    return undefined;
  }
  return check.grant;
}

async function applied(
  reply: FastifyReply,
  deps: SchedulePushDeps,
  source: string,
  grant: PushGrant,
  pull: SourcePull,
) {
  if (!deps.isPushSource(source))
    return sendProblem(reply, 404, 'notFound', 'No such push source', `no push source ${source}`);
  const outcome = await deps.apply(source, pull, `push:${grant.clientId}`);
  if (outcome.status === 'failed')
    return sendProblem(reply, 422, 'pushRefused', 'Push not applied', outcome.message);
  return reply.code(outcome.status === 'held' ? 202 : 200).send({
    status: outcome.status,
    message: outcome.message,
    counts: outcome.counts ?? {},
    unmapped: outcome.unmapped ?? [],
  });
}

/**
 * One push of a source applied at a time, in the order the pushes arrived: a vendor's upsert and the
 * delete that follows it, sent on two connections, apply in that order, and the mass-delete guard judges
 * each against the schedule the one before left.
 */
export function inArrivalOrder(apply: SchedulePushDeps['apply']): SchedulePushDeps['apply'] {
  const tails = new Map<string, Promise<unknown>>();
  return (source, pull, actor) => {
    const run = (tails.get(source) ?? Promise.resolve()).then(() => apply(source, pull, actor));
    const tail = run.catch(() => {});
    tails.set(source, tail);
    void tail.then(() => {
      if (tails.get(source) === tail) tails.delete(source);
    });
    return run;
  };
}

/** What the schema cannot say: end after start, and each id once per call. */
function shiftProblems(shifts: readonly ShiftBody[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  const first = new Map<string, number>();
  shifts.forEach((s, i) => {
    if (new Date(s.end) <= new Date(s.start))
      out.push({ key: `shifts.${i}.end`, message: 'must be after start' });
    const seen = first.get(s.id);
    if (seen !== undefined) out.push({ key: `shifts.${i}.id`, message: `repeats shifts.${seen}.id` });
    else first.set(s.id, i);
  });
  return out;
}

function toShift(s: ShiftBody): SourceShift {
  const shift: SourceShift = {
    sourceId: s.id,
    staff: s.staff,
    task: s.task,
    start: new Date(s.start),
    end: new Date(s.end),
    published: s.published !== false,
    at: `shift ${s.id}`,
  };
  if (s.notes) shift.notes = s.notes;
  return shift;
}
