import type { FastifyInstance } from 'fastify';
import { alertView } from '../delivery/app/alert-view.ts';
import { AlertActionError, type AlertService, type ClinicianAction } from '../routing/alerts.ts';
import type { AlertStatus, AlertStore } from '../store/alert-port.ts';
import type { AuditLog } from '../store/port.ts';
import { type ProblemKind, sendInvalidRequest, sendProblem } from './problem.ts';
import { idParams, listLimit, optionalObject, problem } from './schemas.ts';

/** The answers a clinician gives over the API, each with what it does to the alert. */
const ANSWERS = {
  accept: 'Accept the alert: the escalation stops for everyone',
  reject: 'Reject the alert: it escalates now to whoever is next',
  acknowledge: 'Acknowledge the alert: the escalation stops for everyone',
  read: 'Mark the alert read (the escalation goes on)',
  reply: 'Answer with one of the choices the alert offers (`choice`): the escalation stops for everyone',
} satisfies Partial<Record<ClinicianAction, string>>;
const statuses: AlertStatus[] = ['open', 'acknowledged', 'closed'];

const LIST_SCHEMA = {
  summary: "Alerts: a clinician sees their own, analysts and admins all (or one person's)",
  tags: ['alerts'],
  querystring: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: statuses },
      person: { type: 'string', description: 'staff only: alerts sent to this person' },
      limit: listLimit(100),
    },
  },
};

const DETAIL_SCHEMA = {
  summary: 'One alert with its recipients, the reason each was chosen, and its timeline (audited)',
  tags: ['alerts'],
  params: idParams('alert'),
  response: {
    403: problem('The alert was not sent to this clinician'),
    404: problem('No such alert'),
  },
};

const ANSWER_SCHEMA = {
  tags: ['alerts'],
  params: idParams('alert'),
  body: optionalObject({ choice: { type: 'string', description: 'reply only: one of the choices offered' } }),
  response: {
    403: problem('The account is not linked to a person, or the alert was not sent to them'),
    404: problem('No such alert'),
    409: problem('The alert is already acknowledged or closed'),
  },
};

/** How each refusal of an answer reaches the client; a bad choice is a bad field like any other. */
const ANSWER_REFUSALS: Record<Exclude<AlertActionError['code'], 'bad-choice'>, ProblemKind> = {
  'alert-not-found': 'notFound',
  'not-a-recipient': 'notARecipient',
  'alert-closed': 'alertClosed',
};

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

  app.get<{ Querystring: { status?: AlertStatus; person?: string; limit: number } }>(
    '/api/alerts',
    { config: { access: 'signed-in' }, schema: LIST_SCHEMA },
    async (req) => {
      const q = req.query;
      const { status, limit } = q;
      const personId = staff(req.user?.role) ? q.person : req.user?.personId;
      if (!personId && !staff(req.user?.role)) return { items: [] };
      const items = await deps.alerts.list({ personId, status, limit });
      return {
        items: await Promise.all(
          items.map((a) => alertView(deps.alerts, a, req.user?.personId ?? null, deps.nameOf)),
        ),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/alerts/:id',
    { config: { access: 'signed-in' }, schema: DETAIL_SCHEMA },
    async (req, reply) => {
      const id = req.params.id;
      const alert = await deps.alerts.get(id);
      if (!alert) return sendProblem(reply, 404, 'notFound', 'Alert not found', `no alert ${id}`);
      const recipients = await deps.alerts.recipients(id);
      if (!staff(req.user?.role) && !recipients.some((r) => r.personId === req.user?.personId)) {
        return sendProblem(reply, 403, 'notARecipient', 'Not allowed', 'this alert was not sent to you');
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
    },
  );

  for (const [action, summary] of Object.entries(ANSWERS) as Array<[ClinicianAction, string]>) {
    app.post<{ Params: { id: number }; Body: { choice?: string } | null }>(
      `/api/alerts/:id/${action}`,
      { config: { access: 'signed-in' }, schema: { ...ANSWER_SCHEMA, summary } },
      async (req, reply) => {
        const id = req.params.id;
        if (!req.user?.personId)
          return sendProblem(
            reply,
            403,
            'personRequired',
            'Not allowed',
            'only a clinician account linked to a person can answer alerts',
          );
        try {
          const alert = await deps.service.respond(id, req.user.personId, action, req.body?.choice);
          await deps.audit.record({
            at: new Date(),
            actor: req.user.username,
            action: `alert.${action}`,
            subject: `alert:${id}`,
          });
          return alertView(deps.alerts, alert, req.user.personId, deps.nameOf);
        } catch (err) {
          if (!(err instanceof AlertActionError)) throw err;
          if (err.code === 'bad-choice')
            return sendInvalidRequest(reply, [{ key: 'choice', message: err.message }]);
          return sendProblem(reply, err.status, ANSWER_REFUSALS[err.code], 'Answer refused', err.message);
        }
      },
    );
  }
}
