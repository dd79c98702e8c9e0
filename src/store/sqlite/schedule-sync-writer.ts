import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PlannedChange, ScheduleChange, Shift, ShiftSync } from '../schedule-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';
import type { ShiftArray } from './shift-file-read.ts';

/** Changes handed to the writer thread per message: the main thread turns between two of them. */
const SLICE = 250;

export type LentWrite =
  /** Committed (and on the disk) or refused by `accept`. */
  | { kind: 'done'; applied: boolean; changes: ScheduleChange[] }
  /** The source changed since the sync read it: nothing written; the caller diffs again. */
  | { kind: 'stale' };

/** A shift as the writer's statements take it: shiftColumns order, as the file read's rows. */
export type ShiftValues = ShiftArray;

/** One change for the writer: the shift as it was and as it is (each null when there is none). */
interface StagedChange {
  shiftId: string;
  assignmentId: string;
  kinds: string;
  before: ShiftValues | null;
  after: ShiftValues | null;
  /** The shift keeps its id: updated in place. */
  inPlace: boolean;
}

type Request =
  | { kind: 'stage'; deletes: string[]; changes: StagedChange[] }
  | { kind: 'run'; source: string; version: number; at: number; actor: string; touched: string[] };

interface Reply {
  error?: string;
  stale?: boolean;
  /** The feed's seq of the first change; the others follow it one by one, in the order staged. */
  first?: number;
  count?: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes one large sync as one transaction off the event loop, on a worker thread with a connection of its
 * own. The changes are handed to the thread first, a slice per turn of the event loop; then the main
 * connection lends it the write lock (GroupCommit.lend) and the thread writes them all and commits, while
 * the main thread goes on answering readers from what is committed: the old schedule until the commit,
 * then the new one, never a mix. The thread needs nothing more from the main thread once it has begun, so
 * a statement run on the main connection outside the group commit meanwhile only waits for its commit
 * (busy_timeout), as for any writer. A crash before the commit leaves the old schedule and no feed entry,
 * as one transaction on the main connection would. The thread lives for one write.
 */
export async function writeLent(
  db: SqliteDb,
  commit: GroupCommit,
  sync: ShiftSync,
  planned: readonly PlannedChange[],
  version: number,
): Promise<LentWrite> {
  // The guard decides on this diff; a stale one is diffed again by the caller, and the guard asked again.
  if (sync.accept && !sync.accept(planned)) return { kind: 'done', applied: false, changes: [] };
  const writer = new Writer(db.name);
  try {
    const touched = new Set<string>();
    // Deleted before any insert: a changed shift may take an id that another removed shift had.
    const deletes: string[] = [];
    for (const c of planned) {
      if (c.before) touched.add(c.before.assignmentId);
      if (c.after) touched.add(c.after.assignmentId);
      if (c.before && !(c.after && c.after.id === c.before.id)) deletes.push(c.before.id);
    }
    for (let from = 0; from < Math.max(planned.length, deletes.length); from += SLICE) {
      const changes = planned.slice(from, from + SLICE).map(
        (c): StagedChange => ({
          shiftId: c.shiftId,
          assignmentId: c.assignmentId,
          kinds: c.kinds.join(','),
          before: c.before ? valuesOf(c.before) : null,
          after: c.after ? valuesOf(c.after) : null,
          inPlace: c.before !== null && c.after !== null && c.before.id === c.after.id,
        }),
      );
      writer.post({ kind: 'stage', deletes: deletes.slice(from, from + SLICE), changes });
      await nextTurn();
    }
    let walSeq = 0;
    const at = sync.now;
    const first = await commit.lend(async () => {
      const reply = await writer.ask({
        kind: 'run',
        source: sync.source,
        version,
        at: at.getTime(),
        actor: sync.actor,
        touched: [...touched],
      });
      if (reply.stale) return undefined;
      if (reply.count !== planned.length || reply.first === undefined)
        throw new Error(`the schedule writer wrote ${reply.count} feed entries of ${planned.length}`);
      walSeq = commit.wal.noteCommit();
      return reply.first;
    });
    if (first === undefined) return { kind: 'stale' };
    // Durable before it resolves, so a feed entry a consumer has read is never lost to a crash.
    await commit.wal.durable(walSeq);
    // The diff's own objects, made feed entries in place and in turns: a copy of each (50,000 on a first
    // sync) would hold the loop for hundreds of milliseconds.
    const changes = planned as ScheduleChange[];
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      c.seq = first + i;
      c.at = at;
      c.source = sync.source;
      c.actor = sync.actor;
      if (i % 2000 === 1999) await nextTurn();
    }
    return { kind: 'done', applied: true, changes };
  } finally {
    // Ending the thread also rolls back whatever it had open.
    await writer.close();
  }
}

/** A shift's columns in the order of the shifts table's insert (here and in schedules.ts). */
export function valuesOf(s: Shift): ShiftValues {
  return [
    s.id,
    s.assignmentId,
    s.personId,
    s.start.getTime(),
    s.end.getTime(),
    s.callOrder,
    s.notes,
    s.published ? 1 : 0,
    s.source,
    s.sourceKey ?? null,
  ];
}

/** The worker thread, one request at a time. A failed request rolls back and rejects. */
class Writer {
  private readonly worker: Worker;
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // Plain JavaScript: no TypeScript loader in the thread (a clone's tsx would cost it startup and memory).
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { driver, file } });
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (reply.error) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure = error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the schedule writer thread ended')));
  }

  /** Sends without waiting for an answer (the thread answers only `run`). */
  post(request: Request): void {
    this.worker.postMessage(request);
  }

  ask(request: Request): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  /** Ends the thread; a transaction still open there is rolled back with its connection. */
  async close(): Promise<void> {
    this.failure ??= new Error('the schedule writer is closed');
    await this.worker.terminate();
  }
}

/**
 * The writer thread: the same statements as the schedule store's (schedules.ts) on a connection of its own.
 * Plain JavaScript, so it runs the same from the sources and from the build.
 *
 * The staged changes wait in temporary tables on the thread's own connection (a file of SQLite's, as
 * TEMP_STORE=1 builds it), not as objects on the thread's heap: 50,000 changes kept as objects held 28 MB
 * live and 61 MB of the thread's heap committed while they waited for the lock (node --trace-gc). Writing
 * a temporary table takes no lock on the database, so they are staged before the lock is lent; the lent
 * write then copies them with a few statements, each row written by SQLite without a call from JavaScript.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
// The Checkpointer copies the WAL; SQLite's own checkpoint would run inside this COMMIT.
db.pragma('wal_autocheckpoint = 0');
// The staged rows are read once, in order: they need next to no cache of their own.
db.pragma('temp.cache_size = -2048');
db.exec(\`
  CREATE TEMP TABLE staged_delete (id TEXT NOT NULL);
  CREATE TEMP TABLE staged_change (
    ord INTEGER PRIMARY KEY, shift_id TEXT NOT NULL, assignment_id TEXT NOT NULL, kinds TEXT NOT NULL,
    shift_before TEXT, shift_after TEXT, in_place INTEGER NOT NULL,
    id TEXT, a_assignment_id TEXT, person_id TEXT, start_at INTEGER, end_at INTEGER, call_order INTEGER,
    notes TEXT, published INTEGER, source TEXT, source_key TEXT
  );
\`);
const s = {
  version: db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM schedule_changes WHERE source = ?'),
  stageDelete: db.prepare('INSERT INTO temp.staged_delete (id) VALUES (?)'),
  stageChange: db.prepare(
    'INSERT INTO temp.staged_change (shift_id, assignment_id, kinds, shift_before, shift_after, in_place, id, a_assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  del: db.prepare('DELETE FROM main.shifts WHERE id IN (SELECT id FROM temp.staged_delete)'),
  update: db.prepare(
    'UPDATE main.shifts SET assignment_id = c.a_assignment_id, person_id = c.person_id, start_at = c.start_at, end_at = c.end_at, call_order = c.call_order, notes = c.notes, published = c.published, source = c.source, source_key = c.source_key FROM temp.staged_change AS c WHERE c.in_place = 1 AND main.shifts.id = c.id',
  ),
  insert: db.prepare(
    'INSERT INTO main.shifts (id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key) SELECT id, a_assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key FROM temp.staged_change WHERE id IS NOT NULL AND in_place = 0 ORDER BY ord',
  ),
  feed: db.prepare(
    'INSERT INTO main.schedule_changes (at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor) SELECT ?, ?, shift_id, assignment_id, kinds, shift_before, shift_after, ? FROM temp.staged_change ORDER BY ord',
  ),
  fed: db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS first FROM main.schedule_changes WHERE seq > ? - ?'),
  dropSpan: db.prepare('DELETE FROM main.shift_spans WHERE assignment_id = ?'),
  span: db.prepare(
    'INSERT INTO main.shift_spans (assignment_id, longest_ms) SELECT assignment_id, MAX(end_at - start_at) FROM main.shifts WHERE assignment_id = ? GROUP BY assignment_id',
  ),
};
// A shift in the feed, as the store's shiftJson writes it (src/store/rows/schedule-changes.ts).
const json = (v) => {
  if (v === null) return null;
  const shift = {
    id: v[0], assignmentId: v[1], personId: v[2],
    start: new Date(v[3]).toISOString(), end: new Date(v[4]).toISOString(),
    callOrder: v[5], notes: v[6], published: v[7] === 1, source: v[8],
  };
  if (v[9] !== null) shift.sourceKey = v[9];
  return JSON.stringify(shift);
};
const none = [null, null, null, null, null, null, null, null, null, null];
let staged = 0;
// A slice that could not be staged fails the write that follows it.
let stageError;
const stage = db.transaction((m) => {
  for (const id of m.deletes) s.stageDelete.run(id);
  for (const c of m.changes) {
    const v = c.after ?? none;
    s.stageChange.run(c.shiftId, c.assignmentId, c.kinds, json(c.before), json(c.after), c.inPlace ? 1 : 0, ...v);
    staged += 1;
  }
});
const run = (m) => {
  if (stageError) throw stageError;
  db.prepare('BEGIN IMMEDIATE').run();
  if (s.version.get(m.source).n !== m.version) {
    db.prepare('ROLLBACK').run();
    return { stale: true };
  }
  s.del.run();
  s.update.run();
  s.insert.run();
  const info = s.feed.run(m.at, m.source, m.actor);
  // The feed's numbers, in the staged order: one statement under the write lock numbers its rows one
  // after another; checked, since a consumer's cursor relies on them.
  const last = Number(info.lastInsertRowid);
  const fed = s.fed.get(last, staged);
  if (info.changes !== staged || fed.n !== staged || (staged > 0 && fed.first !== last - staged + 1))
    throw new Error('the schedule writer could not number the feed entries in order');
  for (const id of m.touched) {
    s.dropSpan.run(id);
    s.span.run(id);
  }
  db.prepare('COMMIT').run();
  return { first: last - staged + 1, count: staged };
};
parentPort.on('message', (m) => {
  if (m.kind === 'stage') {
    try {
      if (!stageError) stage(m);
    } catch (error) {
      stageError = error;
    }
    return;
  }
  try {
    parentPort.postMessage(run(m));
  } catch (error) {
    if (db.inTransaction) db.prepare('ROLLBACK').run();
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
`;
