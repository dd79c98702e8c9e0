import type { FastifyInstance } from 'fastify';
import type { OnCallResolver } from '../../schedules/on-call.ts';
import type { ScheduleStore } from '../../store/schedule-port.ts';
import { STAFF } from '../access.ts';

const TIMELINE_SCHEMA = {
  summary:
    "Each assignment's shifts over the next days (who, call order, published or draft, reachable) and its coverage gaps",
  tags: ['schedules'],
  querystring: {
    type: 'object',
    properties: {
      days: { type: 'integer', minimum: 1, maximum: 31, default: 3, description: 'how many days ahead (3)' },
      assignment: { type: 'string', description: 'one assignment only' },
    },
    additionalProperties: false,
  },
} as const;

/**
 * The console's on-call view: per assignment, every shift of the window in call order, and the stretches
 * with nobody reachable on a published shift (the same gaps as /api/coverage). Analysts and admins: it
 * lists the whole roster, drafts included.
 */
export function onCallTimelineRoutes(
  app: FastifyInstance,
  deps: {
    schedules: ScheduleStore;
    oncall: OnCallResolver;
    isReachable: (id: string) => boolean;
    nameOf: (id: string) => string | undefined;
    now: () => Date;
  },
): void {
  app.get<{ Querystring: { days: number; assignment?: string } }>(
    '/api/oncall/timeline',
    { config: { access: STAFF }, schema: TIMELINE_SCHEMA },
    async (req) => {
      const from = deps.now();
      const to = new Date(from.getTime() + req.query.days * 86_400_000);
      const only = req.query.assignment;
      const assignments = (await deps.schedules.listAssignments()).filter((a) => !only || a.id === only);
      const shifts = await deps.schedules.shiftsOverlapping(from, to, only);
      const gaps = await deps.oncall.coverageGaps(from, to, deps.isReachable, only);
      const gapsOf = new Map(gaps.map((g) => [g.assignment.id, g.gaps]));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        items: assignments
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((assignment) => ({
            assignment,
            shifts: shifts
              .filter((s) => s.assignmentId === assignment.id)
              .sort((x, y) => x.callOrder - y.callOrder || x.start.getTime() - y.start.getTime())
              .map((s) => ({
                personId: s.personId,
                name: deps.nameOf(s.personId) ?? s.personId,
                callOrder: s.callOrder,
                start: s.start,
                end: s.end,
                published: s.published,
                reachable: deps.isReachable(s.personId),
                source: s.source,
              })),
            gaps: gapsOf.get(assignment.id) ?? [],
          })),
      };
    },
  );
}
