import type { FastifyInstance } from 'fastify';
import type { AlertStore } from '../store/alert-port.ts';
import type { AuditLog } from '../store/port.ts';
import type { SipStore } from '../store/sip-port.ts';
import { sendProblem } from './problem.ts';

/** What the call-back endpoint needs of the SIP gateway (absent when SIP is off). */
export interface CallBackPort {
  callBack(personId: string, station: string, alertId: number): string;
}

/**
 * Voice over the API: the call detail records (`GET /api/calls`; analysts see all, a clinician their
 * own) and the nurse-call "call back" action on an alert (`POST /api/alerts/:id/call-back`), which rings
 * the clinician's registered phone and joins it to the alert's bed station.
 */
export function callRoutes(
  app: FastifyInstance,
  deps: { calls: SipStore; alerts: AlertStore; audit: AuditLog; gateway: () => CallBackPort | undefined },
): void {
  const staff = (role?: string) => role === 'analyst' || role === 'admin';

  app.get('/api/calls', { config: { access: 'signed-in' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = Math.min(Number(q.limit ?? 100) || 100, 1000);
    const since = q.since ? new Date(q.since) : undefined;
    if (since && Number.isNaN(since.getTime()))
      return sendProblem(reply, 400, 'Invalid query', 'since must be an ISO date-time');
    const personId = staff(req.user?.role) ? q.person : req.user?.personId;
    if (!personId && !staff(req.user?.role)) return { items: [] };
    const items = await deps.calls.listCalls({ since, personId, limit });
    return { items };
  });

  app.post('/api/alerts/:id/call-back', { config: { access: 'signed-in' } }, async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    if (!Number.isInteger(id)) return sendProblem(reply, 400, 'Invalid alert id');
    const body = (req.body ?? {}) as { person?: string };
    // A clinician calls back from their own phone; staff may name who should (e.g. the operator).
    const personId = staff(req.user?.role) ? (body.person ?? req.user?.personId) : req.user?.personId;
    if (!personId) return sendProblem(reply, 400, 'No one to call back from', 'name a person');
    const alert = await deps.alerts.get(id);
    if (!alert) return sendProblem(reply, 404, 'No such alert');
    if (!staff(req.user?.role)) {
      const recipients = await deps.alerts.recipients(id);
      if (!recipients.some((r) => r.personId === personId)) return sendProblem(reply, 404, 'No such alert');
    }
    const station = alert.context.callback;
    if (typeof station !== 'string' || station === '')
      return sendProblem(reply, 409, 'Nothing to call back', 'the alert carries no call-back number');
    const gateway = deps.gateway();
    if (!gateway) return sendProblem(reply, 503, 'SIP is not enabled', 'listeners.sip.enabled is false');
    let callId: string;
    try {
      callId = gateway.callBack(personId, station, id);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      return sendProblem(reply, status, 'Call back refused', (err as Error).message);
    }
    await deps.audit.record({
      at: new Date(),
      actor: req.user?.username ?? 'unknown',
      action: 'alert.call-back',
      subject: `alert:${id}`,
      detail: `call ${callId}`,
    });
    return reply.code(202).send({ callId, alertId: id, person: personId });
  });
}
