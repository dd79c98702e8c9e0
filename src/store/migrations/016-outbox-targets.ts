import type { Migration } from './migration.ts';

/**
 * The outbox's pending deliveries by target, so the worker's share per target (a connector catching up
 * on thousands of changes must not hold up pages) is found by seeking each pending target's first due
 * rows instead of numbering every pending row on every pass: at 30,000 pending rows over 23 targets, 0.35
 * ms a pass against 37 ms (SQLite). PostgreSQL gets the same index for the same query shape.
 */
const index = 'CREATE INDEX deliveries_target_due ON deliveries (state, target, due_at, id);';

export const outboxTargets: Migration = {
  version: 16,
  name: "outbox: pending deliveries by target, for the worker's share per target",
  sqlite: index,
  postgres: index,
};
