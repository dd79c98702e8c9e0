import type { FastifyInstance } from 'fastify';
import { alertView } from '../delivery/app/alert-view.ts';
import { AlertActionError, type AlertService, type ClinicianAction } from '../routing/alerts.ts';
import type { AlertStatus, AlertStore } from '../store/alert-port.ts';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';

const actions: ClinicianAction[] = ['accept', 'reject', 'acknowledge', 'read', 'reply'];

/** Alerts for clinicians (their own) and analysts (all), with timelines and the answer endpoints. */
export function alertRoutes(
  app: FastifyInstance,
  deps: {
    alerts: AlertStore;
    service: AlertService;
    audit: AuditLog;
    nameOf: (id: string) => string | undefined;
  },
): void {
  const staff = (role?: string) => role === 'analyst' || role === 'admin';

  app.get('/api/alerts', { config: { access: 'signed-in' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const status = q.status as AlertStatus | undefined;
    if (status && !['open', 'acknowledged', 'closed'].includes(status)) {
      return sendProblem(reply, 400, 'Invalid query', 'status must be open, acknowledged or closed');
    }
    const limit = Math.min(Number(q.limit ?? 100) || 100, 1000);
    const personId = staff(req.user?.role) ? q.person : req.user?.personId;
    if (!personId && !staff(req.user?.role)) return { items: [] };
    const items = await deps.alerts.list({ personId, status, limit });
    return {
      items: await Promise.all(
        items.map((a) => alertView(deps.alerts, a, req.user?.personId ?? null, deps.nameOf)),
      ),
    };
  });

  app.get('/api/alerts/:id', { config: { access: 'signed-in' } }, async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    const alert = Number.isInteger(id) ? await deps.alerts.get(id) : undefined;
    if (!alert)
      return sendProblem(
        reply,
        404,
        'Alert not found',
        `no alert ${String((req.params as { id: string }).id)}`,
      );
    const recipients = await deps.alerts.recipients(id);
    if (!staff(req.user?.role) && !recipients.some((r) => r.personId === req.user?.personId)) {
      return sendProblem(reply, 403, 'Not allowed', 'this alert was not sent to you');
    }
    await deps.audit.record({
      at: new Date(),
      actor: req.user?.username ?? 'unknown',
      action: 'alert.view',
      subject: `alert:${id}`,
    });
    const timeline = (await deps.alerts.timeline(id)).map((e) => ({
      at: e.at.toISOString(),
      kind: e.kind,
      personId: e.personId,
      person: e.personId ? (deps.nameOf(e.personId) ?? e.personId) : null,
      detail: e.detail,
    }));
    const view = await alertView(deps.alerts, alert, req.user?.personId ?? null, deps.nameOf);
    const reasons = Object.fromEntries(
      recipients.map((r) => [r.personId, { reason: r.reason, step: r.step, notifiedAt: r.notifiedAt }]),
    );
    return {
      ...view,
      messageId: alert.messageId,
      ruleId: alert.ruleId,
      source: alert.source,
      recipientReasons: reasons,
      timeline,
    };
  });

  for (const action of actions) {
    app.post(`/api/alerts/:id/${action}`, { config: { access: 'signed-in' } }, async (req, reply) => {
      const id = Number((req.params as { id: string }).id);
      if (!req.user?.personId)
        return sendProblem(
          reply,
          403,
          'Not allowed',
          'only a clinician account linked to a person can answer alerts',
        );
      const choice = (req.body as { choice?: unknown } | undefined)?.choice;
      try {
        const alert = await deps.service.respond(
          id,
          req.user.personId,
          action,
          typeof choice === 'string' ? choice : undefined,
        );
        await deps.audit.record({
          at: new Date(),
          actor: req.user.username,
          action: `alert.${action}`,
          subject: `alert:${id}`,
        });
        return alertView(deps.alerts, alert, req.user.personId, deps.nameOf);
      } catch (err) {
        if (err instanceof AlertActionError)
          return sendProblem(reply, err.status, err.message, undefined, {
            type: `urn:switchboard:${err.code}`,
          });
        throw err;
      }
    });
  }
}
