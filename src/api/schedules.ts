import type { FastifyInstance } from 'fastify';
import type { OnCallResolver } from '../schedules/on-call.ts';
import type { ScheduleStore } from '../store/schedule-port.ts';
import { sendProblem } from './problem.ts';

/** Assignments, who is on call (in call order, with the shift), and coverage gaps. */
export function scheduleRoutes(
  app: FastifyInstance,
  deps: {
    schedules: ScheduleStore;
    oncall: OnCallResolver;
    isReachable: (id: string) => boolean;
    nameOf: (id: string) => string | undefined;
  },
): void {
  const parseDate = (v: string | undefined, fallback: Date): Date | undefined => {
    if (v === undefined || v === '') return fallback;
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };

  app.get('/api/assignments', { config: { access: 'signed-in' } }, async () => ({
    items: await deps.schedules.listAssignments(),
  }));

  app.get('/api/oncall', { config: { access: 'signed-in' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const at = parseDate(q.at, new Date());
    if (!at) return sendProblem(reply, 400, 'Invalid query', 'at must be an ISO 8601 date-time');
    const assignments = q.assignment
      ? [await deps.schedules.getAssignment(q.assignment)]
      : await deps.schedules.listAssignments();
    if (q.assignment && !assignments[0])
      return sendProblem(reply, 404, 'Assignment not found', `no assignment ${q.assignment}`);
    const items = [];
    for (const a of assignments) {
      if (!a) continue;
      const entries = await deps.oncall.onCall(a.id, at);
      items.push({
        assignment: a,
        at: at.toISOString(),
        onCall: entries
          .sort((x, y) => x.callOrder - y.callOrder)
          .map((e) => ({
            callOrder: e.callOrder,
            personId: e.personId,
            name: deps.nameOf(e.personId) ?? e.personId,
            reachable: deps.isReachable(e.personId),
            shift: {
              id: e.shift.id,
              start: e.shift.start,
              end: e.shift.end,
              source: e.shift.source,
              notes: e.shift.notes,
            },
          })),
      });
    }
    return q.assignment ? items[0] : { items };
  });

  app.get('/api/coverage', { config: { access: 'signed-in' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const from = parseDate(q.from, new Date());
    const to = parseDate(q.to, new Date(Date.now() + 7 * 86_400_000));
    if (!from || !to || to <= from)
      return sendProblem(
        reply,
        400,
        'Invalid query',
        'from and to must be ISO 8601 date-times, to after from',
      );
    const gaps = await deps.oncall.coverageGaps(from, to, deps.isReachable, q.assignment || undefined);
    return { from: from.toISOString(), to: to.toISOString(), items: gaps };
  });
}
