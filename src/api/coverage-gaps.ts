import type { FastifyInstance } from 'fastify';
import type { OnCallResolver } from '../schedules/on-call.ts';
import type { ScheduleSourceStore } from '../store/schedule-source-port.ts';

const GAPS_SCHEMA = {
  summary:
    "Every assignment's stretches with nobody reachable in the next days, and the source rows left unmapped there",
  tags: ['schedules'],
  querystring: {
    type: 'object',
    properties: {
      days: { type: 'integer', minimum: 1, maximum: 90, default: 7, description: 'how many days ahead (7)' },
      assignment: { type: 'string', description: 'one assignment only' },
    },
    additionalProperties: false,
  },
} as const;

/**
 * The coverage check of the next N days: every minute of every assignment should resolve to a reachable
 * person on a published shift. The gaps come from the on-call resolver (as /api/coverage); each gap, and
 * each assignment, also lists the synced rows that were not applied because they mapped to nobody or to
 * two people: a slot the source fills but we could not.
 */
export function coverageGapRoutes(
  app: FastifyInstance,
  deps: {
    oncall: OnCallResolver;
    isReachable: (id: string) => boolean;
    sourceStore: ScheduleSourceStore;
    now?: () => Date;
  },
): void {
  app.get<{ Querystring: { days: number; assignment?: string } }>(
    '/api/coverage/gaps',
    { config: { access: 'signed-in' }, schema: GAPS_SCHEMA },
    async (req) => {
      const from = deps.now?.() ?? new Date();
      const to = new Date(from.getTime() + req.query.days * 86_400_000);
      const gaps = await deps.oncall.coverageGaps(from, to, deps.isReachable, req.query.assignment);
      const unmapped = (await deps.sourceStore.unmapped()).filter((u) => u.start < to && u.end > from);
      const overlapping = (assignment: string, start: Date, end: Date) =>
        unmapped
          .filter((u) => u.assignmentIds.includes(assignment) && u.start < end && u.end > start)
          .map((u) => ({
            source: u.sourceId,
            row: u.rowRef ?? `row ${u.rowNo}`,
            reason: u.reason,
            start: u.start,
            end: u.end,
          }));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        items: gaps.map((g) => ({
          assignment: g.assignment,
          gaps: g.gaps.map((gap) => ({ ...gap, unmapped: overlapping(g.assignment.id, gap.start, gap.end) })),
          unmappedSlots: overlapping(g.assignment.id, from, to),
        })),
      };
    },
  );
}
