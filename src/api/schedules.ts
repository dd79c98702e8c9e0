import type { FastifyInstance } from 'fastify';
import type { OnCallResolver } from '../schedules/on-call.ts';
import type { ScheduleStore } from '../store/schedule-port.ts';
import { sendInvalidRequest, sendProblem } from './problem.ts';
import { dateTime, problem } from './schemas.ts';

const ONCALL_SCHEMA = {
  summary: 'Who is on call, in call order, with the shift: for one assignment, or every one',
  tags: ['schedules'],
  querystring: {
    type: 'object',
    properties: {
      assignment: { type: 'string', description: 'one assignment (its answer is that assignment alone)' },
      at: dateTime('the instant to read the schedule at (now when not given)'),
    },
  },
  response: { 404: problem('No such assignment') },
};

const COVERAGE_SCHEMA = {
  summary: 'Stretches where an assignment has nobody reachable on call',
  tags: ['schedules'],
  querystring: {
    type: 'object',
    properties: {
      from: dateTime('start of the window (now when not given)'),
      to: dateTime('end of the window, after from (a week after from when not given)'),
      assignment: { type: 'string', description: 'one assignment only' },
    },
  },
};

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
  app.get(
    '/api/assignments',
    { config: { access: 'signed-in' }, schema: { summary: 'On-call assignments', tags: ['schedules'] } },
    async () => ({
      items: await deps.schedules.listAssignments(),
    }),
  );

  app.get<{ Querystring: { assignment?: string; at?: string } }>(
    '/api/oncall',
    { config: { access: 'signed-in' }, schema: ONCALL_SCHEMA },
    async (req, reply) => {
      const q = req.query;
      const at = q.at === undefined ? new Date() : new Date(q.at);
      const assignments = q.assignment
        ? [await deps.schedules.getAssignment(q.assignment)]
        : await deps.schedules.listAssignments();
      if (q.assignment && !assignments[0])
        return sendProblem(reply, 404, 'notFound', 'Assignment not found', `no assignment ${q.assignment}`);
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
    },
  );

  app.get<{ Querystring: { from?: string; to?: string; assignment?: string } }>(
    '/api/coverage',
    { config: { access: 'signed-in' }, schema: COVERAGE_SCHEMA },
    async (req, reply) => {
      const q = req.query;
      const from = q.from === undefined ? new Date() : new Date(q.from);
      const to = q.to === undefined ? new Date(from.getTime() + 7 * 86_400_000) : new Date(q.to);
      if (to <= from) return sendInvalidRequest(reply, [{ key: 'to', message: 'must be after from' }]);
      const gaps = await deps.oncall.coverageGaps(from, to, deps.isReachable, q.assignment);
      return { from: from.toISOString(), to: to.toISOString(), items: gaps };
    },
  );
}
