import { type ChangeRow, shiftJson, toChange } from '../rows/schedule-changes.ts';
import type { PlannedChange, ScheduleChange, ScheduleChangeQuery } from '../schedule-port.ts';
import type { SqliteDb } from './database.ts';

/** The most a caller gets in one page of the feed. */
export const maxChangesPerPage = 1000;

/**
 * The change feed in SQLite (table schedule_changes, migration 008). Entries are appended inside the
 * schedule store's write; `list` hands out only entries already on the disk (`flushed`), so a consumer
 * never acts on a change that a crash could still take back and then number differently.
 */
export class SqliteChangeFeed {
  private readonly insert;
  private readonly maxSeq;
  private readonly page;
  private readonly pageBySource;
  private readonly pageByAssignment;
  private readonly pageByBoth;
  /** Highest seq known to be on the disk. */
  private durableSeq: number;

  constructor(db: SqliteDb) {
    this.insert = db.prepare(
      `INSERT INTO schedule_changes (at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM schedule_changes');
    const cols = 'seq, at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor';
    const tail = 'seq > @after AND seq <= @upTo ORDER BY seq LIMIT @limit';
    this.page = db.prepare(`SELECT ${cols} FROM schedule_changes WHERE ${tail}`);
    this.pageBySource = db.prepare(`SELECT ${cols} FROM schedule_changes WHERE source = @source AND ${tail}`);
    this.pageByAssignment = db.prepare(
      `SELECT ${cols} FROM schedule_changes WHERE assignment_id = @assignment AND ${tail}`,
    );
    this.pageByBoth = db.prepare(
      `SELECT ${cols} FROM schedule_changes WHERE source = @source AND assignment_id = @assignment AND ${tail}`,
    );
    // What a previous run committed is on the disk (SQLite's recovery keeps only committed WAL frames).
    this.durableSeq = (this.maxSeq.get() as { n: number }).n;
  }

  /** Appends one entry inside the caller's open write and returns it with its seq. */
  append(c: PlannedChange, source: string, actor: string, at: Date): ScheduleChange {
    const info = this.insert.run(
      at.getTime(),
      source,
      c.shiftId,
      c.assignmentId,
      c.kinds.join(','),
      c.before ? JSON.stringify(shiftJson(c.before)) : null,
      c.after ? JSON.stringify(shiftJson(c.after)) : null,
      actor,
    );
    return { ...c, seq: Number(info.lastInsertRowid), at, source, actor };
  }

  /** Entries up to `seq` are on the disk. */
  flushed(seq: number): void {
    if (seq > this.durableSeq) this.durableSeq = seq;
  }

  last(): number {
    return this.durableSeq;
  }

  list(q: ScheduleChangeQuery): ScheduleChange[] {
    const params = {
      after: q.after ?? 0,
      upTo: this.durableSeq,
      limit: Math.min(Math.max(q.limit ?? 100, 1), maxChangesPerPage),
      source: q.source,
      assignment: q.assignmentId,
    };
    const stmt =
      q.source !== undefined && q.assignmentId !== undefined
        ? this.pageByBoth
        : q.source !== undefined
          ? this.pageBySource
          : q.assignmentId !== undefined
            ? this.pageByAssignment
            : this.page;
    const used = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    return (stmt.all(used) as ChangeRow[]).map(toChange);
  }
}
