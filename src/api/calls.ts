import type { FastifyInstance } from 'fastify';
import { CallBackRefused } from '../calls/call-back.ts';
import type { AlertStore } from '../store/alert-port.ts';
import type { AuditLog } from '../store/port.ts';
import type { SipStore } from '../store/sip-port.ts';
import { sendInvalidRequest, sendProblem } from './problem.ts';
import { dateTime, idParams, listLimit, optionalObject, problem } from './schemas.ts';

/** What the call-back endpoint needs of the SIP gateway (absent when SIP is off). */
export interface CallBackPort {
  callBack(personId: string, station: string, alertId: number): string;
}

/**
 * Voice over the API: the call detail records (`GET /api/calls`; analysts see all, a clinician their
 * own) and the nurse-call "call back" action on an alert (`POST /api/alerts/:id/call-back`), which rings
 * the clinician's registered phone and joins it to the alert's bed station.
 */
const CALLS_SCHEMA = {
  summary: "Call detail records: a clinician sees their own, analysts and admins all (or one person's)",
  tags: ['calls'],
  querystring: {
    type: 'object',
    properties: {
      since: dateTime('calls started at or after'),
      person: { type: 'string', description: 'staff only: the calls of this person' },
      limit: listLimit(100),
    },
  },
};

const CALL_BACK_SCHEMA = {
  summary: "Ring the clinician's phone and join it to the alert's bed station",
  tags: ['calls', 'alerts'],
  params: idParams('alert'),
  body: optionalObject({
    person: {
      type: 'string',
      description: 'staff only: who calls back (a clinician always calls from their own)',
    },
  }),
  response: {
    202: { description: 'The call is being set up: `{callId, alertId, person}`' },
    404: problem('No such alert, or not one sent to this clinician'),
    409: problem('Nothing to call back (no call-back number), or no phone or nurse-call server to use'),
    503: problem('SIP is not enabled'),
  },
};

export function callRoutes(
  app: FastifyInstance,
  deps: { calls: SipStore; alerts: AlertStore; audit: AuditLog; gateway: () => CallBackPort | undefined },
): void {
  const staff = (role?: string) => role === 'analyst' || role === 'admin';

  app.get<{ Querystring: { since?: string; person?: string; limit: number } }>(
    '/api/calls',
    { config: { access: 'signed-in' }, schema: CALLS_SCHEMA },
    async (req) => {
      const q = req.query;
      const limit = q.limit;
      const since = q.since === undefined ? undefined : new Date(q.since);
      const personId = staff(req.user?.role) ? q.person : req.user?.personId;
      if (!personId && !staff(req.user?.role)) return { items: [] };
      const items = await deps.calls.listCalls({ since, personId, limit });
      return { items };
    },
  );

  app.post<{ Params: { id: number }; Body: { person?: string } | null }>(
    '/api/alerts/:id/call-back',
    { config: { access: 'signed-in' }, schema: CALL_BACK_SCHEMA },
    async (req, reply) => {
      const id = req.params.id;
      // A clinician calls back from their own phone; staff may name who should (e.g. the operator).
      const personId = staff(req.user?.role) ? (req.body?.person ?? req.user?.personId) : req.user?.personId;
      if (!personId)
        return sendInvalidRequest(reply, [
          { key: 'person', message: 'is required: this account is not linked to a person' },
        ]);
      const alert = await deps.alerts.get(id);
      if (!alert) return sendProblem(reply, 404, 'notFound', 'No such alert', `no alert ${id}`);
      if (!staff(req.user?.role)) {
        const recipients = await deps.alerts.recipients(id);
        if (!recipients.some((r) => r.personId === personId))
          return sendProblem(reply, 404, 'notFound', 'No such alert', `no alert ${id}`);
      }
      const station = alert.context.callback;
      if (typeof station !== 'string' || station === '')
        return sendProblem(
          reply,
          409,
          'callBackRefused',
          'Nothing to call back',
          'the alert carries no call-back number',
        );
      const gateway = deps.gateway();
      if (!gateway)
        return sendProblem(reply, 503, 'sipDisabled', 'SIP is not enabled', 'listeners.sip.enabled is false');
      let callId: string;
      try {
        callId = gateway.callBack(personId, station, id);
      } catch (err) {
        if (!(err instanceof CallBackRefused)) throw err;
        return sendProblem(reply, err.status, 'callBackRefused', 'Call back refused', err.message);
      }
      await deps.audit.record({
        at: new Date(),
        actor: req.user?.username ?? 'unknown',
        action: 'alert.call-back',
        subject: `alert:${id}`,
        detail: `call ${callId}`,
      });
      return reply.code(202).send({ callId, alertId: id, person: personId });
    },
  );
}
