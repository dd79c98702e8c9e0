import type { Migration } from './migration.ts';

/**
 * Synced schedules: the change feed, the state of each scheduling source, syncs held for review and the
 * rows the last sync could not map.
 *
 * `schedule_changes.seq` is the feed cursor and must grow in commit order. SQLite has one writer, so an
 * AUTOINCREMENT key assigned inside the write transaction is in commit order (AUTOINCREMENT, not a plain
 * rowid, so a number is never reused even if the newest rows are pruned). PostgreSQL's BIGSERIAL is
 * handed out at insert time, not at commit: its adapter must take a transaction-level lock on the feed
 * (pg_advisory_xact_lock) before inserting, so two syncs never commit their numbers out of order.
 *
 * `shifts.source_key` is the scheduling system's own id of a shift (QGenda ScheduleKey, a push client's
 * shift id): a delta deletes by it, and one source row mapped to two assignments is two of our shifts.
 */
const tables = (seq: string, big: string) => `
  ALTER TABLE shifts ADD COLUMN source_key TEXT;
  CREATE INDEX shifts_source_key ON shifts (source, source_key);
  CREATE TABLE schedule_changes (
    seq ${seq},
    at ${big} NOT NULL,
    source TEXT NOT NULL,
    shift_id TEXT NOT NULL,
    assignment_id TEXT NOT NULL,
    kinds TEXT NOT NULL,
    shift_before TEXT,
    shift_after TEXT,
    actor TEXT NOT NULL
  );
  CREATE INDEX schedule_changes_source ON schedule_changes (source, seq);
  CREATE INDEX schedule_changes_assignment ON schedule_changes (assignment_id, seq);
  CREATE TABLE schedule_source_status (
    source_id TEXT PRIMARY KEY,
    last_attempt_at ${big},
    last_success_at ${big},
    last_error TEXT,
    failing_since ${big},
    delta_cursor TEXT,
    next_run_at ${big},
    last_run TEXT,
    stale_alerted_at ${big}
  );
  CREATE TABLE schedule_held_syncs (
    source_id TEXT PRIMARY KEY,
    held_at ${big} NOT NULL,
    reason TEXT NOT NULL,
    removes INTEGER NOT NULL,
    of_total INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE TABLE schedule_unmapped (
    source_id TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    reason TEXT NOT NULL,
    row_ref TEXT,
    staff TEXT NOT NULL,
    task TEXT NOT NULL,
    start_at ${big} NOT NULL,
    end_at ${big} NOT NULL,
    assignment_ids TEXT NOT NULL,
    person_ids TEXT NOT NULL,
    seen_at ${big} NOT NULL,
    PRIMARY KEY (source_id, row_no)
  );
`;

export const scheduleSync: Migration = {
  version: 8,
  name: 'schedule change feed and sources',
  sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
