import type { Migration } from './migration.ts';

/**
 * Shifts in the order every file export writes them (start, assignment, call order, id), so that
 * ScheduleStore.shiftsByStart reads a window in keyset pages of a fixed number of rows without sorting:
 * paged by start alone, a page had to hold every shift of a start instant (14,000 at 07:00 in a
 * 400,000-shift month, and the export's memory grew with the schedule). It replaces shifts_start, whose
 * range scans it serves as well. PostgreSQL compares the ids byte-wise ("C"), as the stores' ORDER BY does.
 */
export const shiftsFileOrder: Migration = {
  version: 18,
  name: 'shifts in file order',
  sqlite: `
    CREATE INDEX shifts_file_order ON shifts (start_at, assignment_id, call_order, id);
    DROP INDEX shifts_start;
  `,
  postgres: `
    CREATE INDEX shifts_file_order ON shifts (start_at, assignment_id COLLATE "C", call_order, id COLLATE "C");
    DROP INDEX shifts_start;
  `,
};
