import type { FastifyInstance } from 'fastify';
import type { ScheduleStore } from '../store/schedule-port.ts';
import { STAFF } from './access.ts';
import { listLimit } from './schemas.ts';

const CHANGES_SCHEMA = {
  summary: 'The schedule change feed after a cursor, oldest first; `next` is the cursor to ask with next',
  tags: ['schedules'],
  querystring: {
    type: 'object',
    properties: {
      after: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'the seq of the last change already handled',
      },
      limit: listLimit(100),
      source: { type: 'string', description: "one source's changes (e.g. amion, yaml)" },
      assignment: { type: 'string', description: "one assignment's changes" },
    },
    additionalProperties: false,
  },
} as const;

/**
 * The change feed. A consumer keeps `next` and asks again with `after=next`: a consumer that was down for
 * an hour catches up with no gap and no repeat, since seq follows commit order and only what is on the disk
 * is handed out.
 */
export function scheduleChangeRoutes(app: FastifyInstance, deps: { schedules: ScheduleStore }): void {
  app.get<{ Querystring: { after: number; limit: number; source?: string; assignment?: string } }>(
    '/api/schedule-changes',
    { config: { access: STAFF }, schema: CHANGES_SCHEMA },
    async (req) => {
      const q = req.query;
      const items = await deps.schedules.changes({
        after: q.after,
        limit: q.limit,
        source: q.source,
        assignmentId: q.assignment,
      });
      return { items, next: items.length > 0 ? items[items.length - 1].seq : q.after };
    },
  );
}
