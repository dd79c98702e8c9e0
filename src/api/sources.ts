import type { FastifyInstance } from 'fastify';
import type { ScheduleSyncEngine, SyncOutcome } from '../schedules/sync-engine.ts';
import type { ScheduleSyncRunner } from '../schedules/sync-runner.ts';
import type { ScheduleSourceStore } from '../store/schedule-source-port.ts';
import { STAFF } from './access.ts';
import { sendProblem } from './problem.ts';
import { optionalObject, problem } from './schemas.ts';

const sourceParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, description: "the source's id in sources.yaml" } },
} as const;

export interface SourceRoutesDeps {
  engine: ScheduleSyncEngine;
  runner: ScheduleSyncRunner;
  sourceStore: ScheduleSourceStore;
}

/**
 * The scheduling sources: their status (last success, last error, next run, a held sync, the last run's
 * changes and unmapped rows), a sync on demand (or a dry run that shows what it would change), and the
 * admin's confirmation of a sync the mass-delete guard held.
 */
export function sourceRoutes(app: FastifyInstance, deps: SourceRoutesDeps): void {
  app.get(
    '/api/sources',
    {
      config: { access: STAFF },
      schema: { summary: 'Scheduling sources and how their syncs went', tags: ['schedules'] },
    },
    async () => {
      const statuses = await deps.engine.statuses();
      const held = new Map((await deps.sourceStore.listHeld()).map((h) => [h.sourceId, h]));
      const unmapped = await deps.sourceStore.unmapped();
      const health = new Map(deps.runner.health().map((h) => [h.id, h.state]));
      return {
        items: statuses.map((st) => {
          const s = deps.engine.source(st.sourceId)!;
          const h = held.get(st.sourceId);
          return {
            id: s.id,
            kind: s.kind,
            enabled: s.enabled,
            state: health.get(s.id),
            everyMinutes: s.everyMinutes,
            window: { daysBack: s.daysBack, daysForward: s.daysForward },
            staleAfterMinutes: s.staleAfterMinutes,
            lastAttemptAt: st.lastAttemptAt,
            lastSuccessAt: st.lastSuccessAt,
            lastError: st.lastError,
            failingSince: st.failingSince,
            nextRunAt: st.nextRunAt,
            lastRun: st.lastRun,
            held: h ? { heldAt: h.heldAt, reason: h.reason, removes: h.removes, ofTotal: h.ofTotal } : null,
            unmappedCount: unmapped.filter((u) => u.sourceId === s.id).length,
            unmapped: unmapped
              .filter((u) => u.sourceId === s.id)
              .slice(0, SHOWN)
              .map(({ sourceId: _s, seenAt: _t, ...u }) => u),
          };
        }),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { dryRun?: boolean } | null }>(
    '/api/sources/:id/sync',
    {
      config: { access: STAFF },
      schema: {
        summary: 'Pull and apply a source now; with dryRun, only show the changes it would make',
        tags: ['schedules'],
        params: sourceParams,
        body: optionalObject({ dryRun: { type: 'boolean', description: 'show the diff, change nothing' } }),
        response: { 404: problem('No such source') },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      if (!deps.engine.source(id)) return noSource(reply, id);
      const outcome = await deps.runner.syncNow(id, {
        dryRun: req.body?.dryRun === true,
        actor: req.body?.dryRun ? undefined : `sync:${id} (asked by ${req.user?.username ?? 'unknown'})`,
      });
      return outcomeView(outcome);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/sources/:id/held/confirm',
    {
      config: { access: ['admin'] },
      schema: {
        summary: 'Apply the sync the mass-delete guard held for this source',
        tags: ['schedules'],
        params: sourceParams,
        response: { 404: problem('No such source, or nothing held for it') },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      if (!deps.engine.source(id)) return noSource(reply, id);
      const outcome = await deps.engine.confirmHeld(id, req.user?.username ?? 'unknown');
      if (!outcome)
        return sendProblem(reply, 404, 'notFound', 'Nothing held', `no sync of ${id} is held for review`);
      return outcomeView(outcome);
    },
  );
}

function noSource(reply: Parameters<typeof sendProblem>[0], id: string) {
  return sendProblem(reply, 404, 'notFound', 'No such source', `no scheduling source ${id} in sources.yaml`);
}

/** Changes and unmapped rows an answer lists at most. */
const SHOWN = 1000;

/** The outcome as the API shows it: shifts by id, person and times, no internal objects. */
export function outcomeView(o: SyncOutcome) {
  return {
    source: o.sourceId,
    status: o.status,
    message: o.message,
    counts: o.counts,
    guard: o.guard ?? null,
    // A first sync of a large site is tens of thousands of changes: the feed has them all.
    changes: o.changes.slice(0, SHOWN),
    moreChanges: Math.max(0, o.changes.length - SHOWN),
    unmapped: o.unmapped.slice(0, SHOWN),
    moreUnmapped: Math.max(0, o.unmapped.length - SHOWN),
  };
}
