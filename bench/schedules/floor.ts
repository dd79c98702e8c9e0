/**
 * The floor of a sync, measured in the run that measures the sync: the same work with nothing of ours in it.
 *
 * - The pull's floor: the same pages the client asks for (100 days each, from the day before the window),
 *   fetched over the same loopback server and each parsed whole with `JSON.parse`; no entry is read.
 * - The store's floor for a first sync: its shifts and their feed entries inserted with bare better-sqlite3
 *   statements into the same schema (the migrations), in one transaction, then the WAL synced, as a sync
 *   commits. The feed's JSON texts are made before the clock starts: only SQLite's part is timed.
 * - The store's floor for a second sync: the stored window read back as raw rows, as its diff must read it.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { openSqlite } from '../../src/store/sqlite/database.ts';
import { shiftColumns } from '../../src/store/sqlite/shift-file-read.ts';
import { TASKS } from './payload.ts';

/** A part's wall time and the process's CPU time (user and system) over it. */
export interface Part {
  ms: number;
  cpuMs: number;
}

export interface SyncFloor {
  /** Fetching and parsing the pages whole. */
  fetchParse: Part;
  /** Inserting the shifts, in the transaction. */
  shifts: Part;
  /** Inserting their feed entries, in the same transaction, with the commit and the WAL's fdatasync. */
  feed: Part;
  /** Reading the stored shifts back, raw rows. */
  read: Part;
  rows: number;
}

interface Entry {
  ScheduleKey: string;
  StartDateUTC: string;
  EndDateUTC: string;
  StaffId: string;
  TaskId: string;
}

const DAYS_PER_PAGE = 100;

/** The clock and the process's CPU time now, for a Part. */
function mark(): Part {
  const u = process.cpuUsage();
  return { ms: performance.now(), cpuMs: (u.user + u.system) / 1000 };
}

function since(start: Part): Part {
  const end = mark();
  return { ms: end.ms - start.ms, cpuMs: end.cpuMs - start.cpuMs };
}

/** The pages the QGenda client asks for over [from, to) in `zone`, as MM/dd/yyyy pairs. */
function pagesOf(from: Date, to: Date, zone: string): Array<[string, string]> {
  const first = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromMillis(to.getTime() - 1, { zone }).startOf('day');
  const pages: Array<[string, string]> = [];
  for (let day = first; day <= last; day = day.plus({ days: DAYS_PER_PAGE })) {
    const end = DateTime.min(last, day.plus({ days: DAYS_PER_PAGE - 1 }));
    pages.push([day.toFormat('MM/dd/yyyy'), end.toFormat('MM/dd/yyyy')]);
  }
  return pages;
}

export async function measureFloor(
  url: string,
  window: { from: Date; to: Date },
  zone: string,
  dir: string,
): Promise<SyncFloor> {
  const t = mark();
  const entries: Entry[] = [];
  for (const [startDate, endDate] of pagesOf(window.from, window.to, zone)) {
    const page = new URL('/v2/schedule', url);
    page.searchParams.set('companyKey', '0');
    page.searchParams.set('startDate', startDate);
    page.searchParams.set('endDate', endDate);
    const text = await (await fetch(page, { headers: { authorization: 'bearer bench' } })).text();
    for (const e of JSON.parse(text) as Entry[]) entries.push(e);
  }
  const fetchParse = since(t);

  // The shifts as the mapper makes them (one assignment per task, people by StaffId), kept only if they
  // overlap the window, as the client keeps them.
  const from = window.from.getTime();
  const to = window.to.getTime();
  const shifts: Array<[string, string, string, number, number, number, string, number, string, string]> = [];
  for (const e of entries) {
    const start = Date.parse(`${e.StartDateUTC}Z`);
    const end = Date.parse(`${e.EndDateUTC}Z`);
    if (end <= from || start >= to) continue;
    const assignment = `a${e.TaskId.slice(1)}`;
    shifts.push([
      `qgenda:${e.ScheduleKey}@${assignment}`,
      assignment,
      `p-${e.StaffId}`,
      start,
      end,
      1,
      '',
      1,
      'qgenda',
      e.ScheduleKey,
    ]);
  }
  entries.length = 0;
  const feedTexts = shifts.map((v) =>
    JSON.stringify({
      id: v[0],
      assignmentId: v[1],
      personId: v[2],
      start: new Date(v[3]).toISOString(),
      end: new Date(v[4]).toISOString(),
      callOrder: v[5],
      notes: v[6],
      published: true,
      source: v[8],
      sourceKey: v[9],
    }),
  );

  const db = openSqlite(dir);
  const assignment = db.prepare(
    "INSERT INTO assignments (id, name, type, department) VALUES (?, ?, 'oncall', 'Bench')",
  );
  db.transaction(() => {
    for (let i = 0; i < TASKS; i++) assignment.run(`a${i}`, `Task ${i}`);
  })();
  const insertShift = db.prepare(
    `INSERT INTO shifts (${shiftColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFeed = db.prepare(
    'INSERT INTO schedule_changes (at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const wal = openSync(join(dir, 'switchboard.db-wal'), 'r+');
  const t0 = mark();
  db.prepare('BEGIN IMMEDIATE').run();
  for (const v of shifts) insertShift.run(...v);
  const shiftsPart = since(t0);
  const t1 = mark();
  for (let i = 0; i < shifts.length; i++) {
    insertFeed.run(from, 'qgenda', shifts[i][0], shifts[i][1], 'added', null, feedTexts[i], 'sync:qgenda');
  }
  db.prepare('COMMIT').run();
  fdatasyncSync(wal);
  const feed = since(t1);
  closeSync(wal);

  const read = db.prepare(`SELECT ${shiftColumns} FROM shifts WHERE source = ?`).raw(true);
  const t3 = mark();
  const rows = read.all('qgenda').length;
  const readPart = since(t3);
  db.close();
  return { fetchParse, shifts: shiftsPart, feed, read: readPart, rows };
}
