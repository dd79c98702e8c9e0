import type { Migration } from './migration.ts';

/** One text for both dialects: only the id, 64-bit integer and byte types differ. */
const tables = (big: string, bool: string) => `
      CREATE TABLE assignments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        department TEXT NOT NULL
      );
      CREATE TABLE shifts (
        id TEXT PRIMARY KEY,
        assignment_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        start_at ${big} NOT NULL,
        end_at ${big} NOT NULL,
        call_order INTEGER NOT NULL,
        notes TEXT NOT NULL,
        published ${bool} NOT NULL,
        source TEXT NOT NULL,
        CHECK (end_at > start_at)
      );
      CREATE INDEX shifts_on_call ON shifts (assignment_id, start_at, end_at);
      CREATE INDEX shifts_start ON shifts (start_at);
      CREATE INDEX shifts_source ON shifts (source);
      CREATE TABLE shift_spans (
        assignment_id TEXT PRIMARY KEY,
        longest_ms ${big} NOT NULL
      );
    `;

/**
 * Assignments and shifts. Times are UTC epoch milliseconds.
 *
 * The hot query is "who is on for assignment A at instant T":
 *   assignment_id = A AND start_at <= T AND start_at > T - longest AND end_at > T
 * `shifts_on_call` (assignment_id, start_at, end_at) turns that into one short range scan: the bound
 * `T - longest` (kept per assignment in `shift_spans`) stops the scan from walking back through every
 * past shift, and end_at in the index lets the end test run without touching the table.
 */
export const schedules: Migration = {
  version: 2,
  name: 'assignments and shifts',
  sqlite: tables('INTEGER', 'INTEGER'),
  postgres: tables('BIGINT', 'BOOLEAN'),
};
