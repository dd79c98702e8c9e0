import Database from 'better-sqlite3';
import { shiftJson } from '../rows/schedule-changes.ts';
import type { PlannedChange, ScheduleChange, Shift, ShiftSync } from '../schedule-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/** Changes written per turn of the event loop: a few milliseconds of inserts. */
const SLICE = 250;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export type LentWrite =
  /** Committed (and on the disk) or refused by `accept`. */
  | { kind: 'done'; applied: boolean; changes: ScheduleChange[] }
  /** The source changed since the sync read it: nothing written; the caller diffs again. */
  | { kind: 'stale' };

/**
 * Writes one large sync as one transaction without holding the event loop: on a connection of its own,
 * a slice of changes per turn, while the main connection lends it the write lock (GroupCommit.lend) and
 * keeps answering readers from what is committed: the old schedule until the commit, then the new one,
 * never a mix. A crash before the commit leaves the old schedule and no feed entry, as one transaction
 * on the main connection would. The connection is opened for the write and closed after it.
 */
export async function writeLent(
  db: SqliteDb,
  commit: GroupCommit,
  sync: ShiftSync,
  planned: readonly PlannedChange[],
  version: number,
): Promise<LentWrite> {
  let walSeq = 0;
  const result = await commit.lend(async (): Promise<LentWrite> => {
    const own = new Database(db.name);
    try {
      own.pragma('busy_timeout = 5000');
      own.pragma('synchronous = NORMAL');
      own.pragma('foreign_keys = ON');
      // The Checkpointer copies the WAL; SQLite's own checkpoint would run inside this COMMIT.
      own.pragma('wal_autocheckpoint = 0');
      const writer = new Statements(own);
      own.prepare('BEGIN IMMEDIATE').run();
      try {
        if (writer.version(sync.source) !== version) {
          own.prepare('ROLLBACK').run();
          return { kind: 'stale' };
        }
        if (sync.accept && !sync.accept(planned)) {
          own.prepare('ROLLBACK').run();
          return { kind: 'done', applied: false, changes: [] };
        }
        const changes = await writer.apply(sync, planned);
        own.prepare('COMMIT').run();
        walSeq = commit.wal.noteCommit();
        return { kind: 'done', applied: true, changes };
      } catch (error) {
        if (own.inTransaction) own.prepare('ROLLBACK').run();
        throw error;
      }
    } finally {
      own.close();
    }
  });
  // Durable before it resolves, so a feed entry a consumer has read is never lost to a crash.
  if (walSeq > 0) await commit.wal.durable(walSeq);
  return result;
}

class Statements {
  private readonly lastOfSource;
  private readonly deleteShift;
  private readonly insertShift;
  private readonly updateShift;
  private readonly insertChange;
  private readonly deleteSpan;
  private readonly computeSpan;

  constructor(db: SqliteDb) {
    this.lastOfSource = db.prepare(
      'SELECT COALESCE(MAX(seq), 0) AS n FROM schedule_changes WHERE source = ?',
    );
    this.deleteShift = db.prepare('DELETE FROM shifts WHERE id = ?');
    this.insertShift = db.prepare(
      `INSERT INTO shifts (id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateShift = db.prepare(
      `UPDATE shifts SET assignment_id = ?, person_id = ?, start_at = ?, end_at = ?, call_order = ?, notes = ?,
       published = ?, source = ?, source_key = ? WHERE id = ?`,
    );
    this.insertChange = db.prepare(
      `INSERT INTO schedule_changes (at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteSpan = db.prepare('DELETE FROM shift_spans WHERE assignment_id = ?');
    this.computeSpan = db.prepare(
      `INSERT INTO shift_spans (assignment_id, longest_ms)
       SELECT assignment_id, MAX(end_at - start_at) FROM shifts WHERE assignment_id = ? GROUP BY assignment_id`,
    );
  }

  version(source: string): number {
    return (this.lastOfSource.get(source) as { n: number }).n;
  }

  /** The same writes as the main connection's (schedules.ts), a slice per turn; feed entries in order. */
  async apply(sync: ShiftSync, planned: readonly PlannedChange[]): Promise<ScheduleChange[]> {
    const touched = new Set<string>();
    // A shift that keeps its id is updated in place; the others are deleted, all before any insert (a
    // changed shift may take an id that another removed shift had).
    const inPlace = (c: PlannedChange) => c.before !== null && c.after !== null && c.before.id === c.after.id;
    for (let i = 0; i < planned.length; i++) {
      const c = planned[i];
      if (c.before && !inPlace(c)) {
        this.deleteShift.run(c.before.id);
        touched.add(c.before.assignmentId);
      }
      if (i % SLICE === SLICE - 1) await nextTurn();
    }
    for (let i = 0; i < planned.length; i++) {
      const c = planned[i];
      if (c.after) {
        if (inPlace(c)) {
          this.update(c.after);
          touched.add((c.before as Shift).assignmentId);
        } else this.insert(c.after);
        touched.add(c.after.assignmentId);
      }
      if (i % SLICE === SLICE - 1) await nextTurn();
    }
    const at = sync.now;
    const changes: ScheduleChange[] = new Array(planned.length);
    for (let i = 0; i < planned.length; i++) {
      const c = planned[i];
      const info = this.insertChange.run(
        at.getTime(),
        sync.source,
        c.shiftId,
        c.assignmentId,
        c.kinds.join(','),
        c.before ? JSON.stringify(shiftJson(c.before)) : null,
        c.after ? JSON.stringify(shiftJson(c.after)) : null,
        sync.actor,
      );
      changes[i] = { ...c, seq: Number(info.lastInsertRowid), at, source: sync.source, actor: sync.actor };
      if (i % SLICE === SLICE - 1) await nextTurn();
    }
    for (const id of touched) {
      this.deleteSpan.run(id);
      this.computeSpan.run(id);
    }
    return changes;
  }

  private insert(s: Shift): void {
    this.insertShift.run(...shiftValues(s));
  }

  private update(s: Shift): void {
    const [id, ...rest] = shiftValues(s);
    this.updateShift.run(...rest, id);
  }
}

function shiftValues(s: Shift) {
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
  ] as const;
}
