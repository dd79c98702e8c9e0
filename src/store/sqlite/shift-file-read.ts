/**
 * A file's read of the shifts (ScheduleStore.shiftsByStart) on a read-only connection of its own. It needs
 * only the database file, so the thread that writes an export's file (connectors/exports/file-thread.ts)
 * imports this module alone and reads there, while the store's connection stays the router's.
 */
import Database from 'better-sqlite3';
import type { Shift } from '../schedule-port.ts';

/** This module, for a thread that imports it by name (ScheduleStore.shiftReaderForThread). */
export const shiftFileReadModule = import.meta.url;

/**
 * Shifts per page. A page is read whole (an open iterator would hold a read transaction, and keep the WAL
 * from being checkpointed, while a file is being uploaded), so it is what the reader holds in memory,
 * however many shifts start at the same instant.
 */
const FILE_PAGE = 1000;

/**
 * The page cache of a file's read connection, in KiB: a one-pass read needs next to none. On the store's
 * connection a 400,000-shift window filled its 64 MB cache (database.ts), which the process then kept: the
 * part of an export's memory that grew with the schedule (bench/exports: 40-50 MB of peak RSS at 400,000).
 */
const FILE_READ_CACHE_KIB = 2048;

export const shiftColumns =
  'id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key';

/** A row of `shiftColumns` as an array (a statement in raw mode). */
export type ShiftArray = [
  string,
  string,
  string,
  number,
  number,
  number,
  string,
  number,
  string,
  string | null,
];

/**
 * Keyset pages along shifts_file_order (migration 018), the order the file writes: each page starts after
 * the last row of the one before, so a page is FILE_PAGE rows even inside a run of equal starts (twenty
 * thousand shifts at 07:00), no row is read twice, and nothing is sorted.
 */
const PAGE_BY_START = `SELECT ${shiftColumns} FROM shifts
  WHERE (start_at, assignment_id, call_order, id) > (@start, @assignment, @callOrder, @id)
    AND start_at < @to AND end_at > @from AND published >= @published
  ORDER BY start_at, assignment_id, call_order, id
  LIMIT ${FILE_PAGE}`;

/**
 * The shifts overlapping [from, to) of the database in `file`, in the file's order. A connection of its
 * own, with a small cache (FILE_READ_CACHE_KIB), which leaves the store's cached pages to the router. It
 * sees only what is committed, which is every sync that has settled: shifts are written durably or by a
 * lent writer, both committed before their promises settle.
 */
export async function* shiftsByStartIn(
  file: string,
  from: Date,
  to: Date,
  options: { drafts?: boolean } = {},
): AsyncGenerator<Shift> {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  try {
    reader.pragma(`cache_size = -${FILE_READ_CACHE_KIB}`);
    const longest = (
      reader.prepare('SELECT MAX(longest_ms) AS n FROM shift_spans').get() as { n: number | null }
    ).n;
    if (longest === null) return;
    // Rows as arrays: a file reads a great many, and an array per row costs better-sqlite3 less than an
    // object with named fields.
    const pageByStart = reader.prepare(PAGE_BY_START).raw(true);
    // No shift that starts a longest shift or more before `from` can still be on at `from`.
    const page = {
      start: from.getTime() - longest,
      assignment: '',
      callOrder: 0,
      id: '',
      to: to.getTime(),
      from: from.getTime(),
      published: options.drafts ? 0 : 1,
    };
    for (;;) {
      const rows = pageByStart.all(page) as ShiftArray[];
      for (const r of rows) yield shiftOfArray(r);
      if (rows.length < FILE_PAGE) return;
      const last = rows[rows.length - 1];
      page.start = last[3];
      page.assignment = last[1];
      page.callOrder = last[5];
      page.id = last[0];
    }
  } finally {
    reader.close();
  }
}

/** The thread's entry to the read: what ShiftReaderForThread names as `source` is the file. */
export const shiftsByStart = shiftsByStartIn;

export function shiftOfArray(r: ShiftArray): Shift {
  const shift: Shift = {
    id: r[0],
    assignmentId: r[1],
    personId: r[2],
    start: new Date(r[3]),
    end: new Date(r[4]),
    callOrder: r[5],
    notes: r[6],
    published: r[7] === 1,
    source: r[8],
  };
  if (r[9] !== null) shift.sourceKey = r[9];
  return shift;
}
