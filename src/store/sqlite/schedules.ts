import { diffShifts, diffShiftsInTurns } from '../schedule-diff.ts';
import type {
  Assignment,
  AssignmentType,
  PlannedChange,
  ReplaceResult,
  ScheduleChange,
  ScheduleChangeQuery,
  ScheduleStore,
  Shift,
  ShiftReaderForThread,
  ShiftSync,
  ShiftSyncResult,
} from '../schedule-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';
import type { SqliteOutbox } from './outbox.ts';
import { SqliteChangeFeed } from './schedule-changes.ts';
import { valuesOf, writeLent } from './schedule-sync-writer.ts';
import {
  type ShiftArray,
  shiftColumns,
  shiftFileReadModule,
  shiftOfArray,
  shiftsByStartIn,
} from './shift-file-read.ts';

/** Changes from which a sync is written on a connection of its own (schedule-sync-writer.ts). */
const LENT_FROM = 500;

/** Rows read (or shifts checked) per turn of the event loop while a sync reads what it replaces. */
const PAGE = 500;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ShiftRow {
  id: string;
  assignment_id: string;
  person_id: string;
  start_at: number;
  end_at: number;
  call_order: number;
  notes: string;
  published: number;
  source: string;
  source_key: string | null;
}

/**
 * Shifts in SQLite. Every statement on the store's connection is prepared once (a file's read has a
 * connection of its own); the on-call lookup is a single range scan of `shifts_on_call` bounded by the
 * assignment's longest shift (see migration 002 for why).
 */
export class SqliteScheduleStore implements ScheduleStore {
  private readonly upsertAssignment;
  private readonly allAssignments;
  private readonly assignmentById;
  private readonly ofSource;
  private readonly ofSourceOverlapping;
  private readonly byId;
  private readonly bySourceKey;
  private readonly deleteShift;
  private readonly pageOfSource;
  private readonly lastOfSource;
  private readonly countOfSource;
  private readonly insertShift;
  private readonly feed: SqliteChangeFeed;
  private readonly deleteSpan;
  private readonly computeSpan;
  private readonly onAt;
  private readonly overlapping;
  private readonly overlappingOne;
  private readonly distinctSources;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
    private readonly outbox?: SqliteOutbox,
  ) {
    this.feed = new SqliteChangeFeed(db);
    this.upsertAssignment = db.prepare(
      `INSERT INTO assignments (id, name, type, department) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, department = excluded.department`,
    );
    this.allAssignments = db.prepare('SELECT id, name, type, department FROM assignments ORDER BY id');
    this.assignmentById = db.prepare('SELECT id, name, type, department FROM assignments WHERE id = ?');
    this.ofSource = db.prepare(`SELECT ${shiftColumns} FROM shifts WHERE source = ?`);
    this.ofSourceOverlapping = db.prepare(
      `SELECT ${shiftColumns} FROM shifts WHERE source = ? AND start_at < ? AND end_at > ?`,
    );
    this.byId = db.prepare(`SELECT ${shiftColumns} FROM shifts WHERE id = ?`);
    this.bySourceKey = db.prepare(`SELECT ${shiftColumns} FROM shifts WHERE source = ? AND source_key = ?`);
    this.deleteShift = db.prepare('DELETE FROM shifts WHERE id = ?');
    // Pages by rowid along shifts_source (source, rowid): each page a short range scan. Rows as arrays
    // (raw mode), which cost better-sqlite3 less than objects: a resync reads every stored shift.
    this.pageOfSource = db.prepare(
      `SELECT ${shiftColumns}, rowid AS rid FROM shifts WHERE source = ? AND rowid > ? ORDER BY rowid LIMIT ?`,
    );
    this.pageOfSource.raw(true);
    this.countOfSource = db.prepare('SELECT count(*) AS n FROM shifts WHERE source = ?');
    this.lastOfSource = db.prepare(
      'SELECT COALESCE(MAX(seq), 0) AS n FROM schedule_changes WHERE source = ?',
    );
    this.insertShift = db.prepare(
      `INSERT INTO shifts (${shiftColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteSpan = db.prepare('DELETE FROM shift_spans WHERE assignment_id = ?');
    this.computeSpan = db.prepare(
      `INSERT INTO shift_spans (assignment_id, longest_ms)
       SELECT assignment_id, MAX(end_at - start_at) FROM shifts WHERE assignment_id = ? GROUP BY assignment_id`,
    );
    // No span row (no shifts) makes the bound NULL and the answer empty.
    this.onAt = db.prepare(
      `SELECT ${shiftColumns} FROM shifts
       WHERE assignment_id = @assignment AND start_at <= @at
         AND start_at > @at - (SELECT longest_ms FROM shift_spans WHERE assignment_id = @assignment)
         AND end_at > @at
       ORDER BY call_order, start_at, id`,
    );
    // Bounded by the longest shift of any assignment.
    this.overlapping = db.prepare(
      `SELECT ${shiftColumns} FROM shifts
       WHERE start_at < @to AND start_at > @from - (SELECT MAX(longest_ms) FROM shift_spans) AND end_at > @from
       ORDER BY assignment_id, start_at, call_order, id`,
    );
    this.overlappingOne = db.prepare(
      `SELECT ${shiftColumns} FROM shifts
       WHERE assignment_id = @assignment AND start_at < @to
         AND start_at > @from - (SELECT longest_ms FROM shift_spans WHERE assignment_id = @assignment)
         AND end_at > @from
       ORDER BY start_at, call_order, id`,
    );
    this.distinctSources = db.prepare('SELECT DISTINCT source FROM shifts ORDER BY source');
  }

  async upsertAssignments(assignments: readonly Assignment[]): Promise<void> {
    await this.commit.write(() => {
      for (const a of assignments) this.upsertAssignment.run(a.id, a.name, a.type, a.department);
    });
  }

  async listAssignments(): Promise<Assignment[]> {
    return (this.allAssignments.all() as AssignmentRow[]).map(toAssignment);
  }

  async getAssignment(id: string): Promise<Assignment | undefined> {
    const row = this.assignmentById.get(id) as AssignmentRow | undefined;
    return row ? toAssignment(row) : undefined;
  }

  async replaceShifts(source: string, shifts: readonly Shift[], actor = 'config'): Promise<ReplaceResult> {
    const r = await this.applySync({ source, scope: { kind: 'all' }, shifts, actor, now: new Date() });
    return { removed: r.inScope, inserted: shifts.length };
  }

  async applySync(sync: ShiftSync): Promise<ShiftSyncResult> {
    const byId = await checkShifts(sync.source, sync.shifts);
    // The stored shifts in scope are read and diffed before the write, a page at a time with the event
    // loop free between pages, so on-call lookups keep answering during a large sync; the write holds
    // the loop only for what changed. Every change to a source's shifts adds to its feed, so an unchanged
    // newest seq of the source means the read is still the truth; otherwise the write reads again.
    const version = this.sourceVersion(sync.source);
    const before = await this.inScopePaged(sync, byId);
    // A stored shift the sync sends again unchanged can change nothing: only the rest are diffed.
    let sent = sync.shifts;
    if (before.same.size > 0) {
      const rest: Shift[] = [];
      for (let i = 0; i < sync.shifts.length; i++) {
        if (!before.same.has(sync.shifts[i].id)) rest.push(sync.shifts[i]);
        if (i % PAGE === PAGE - 1) await nextTurn();
      }
      sent = rest;
    }
    const planned = await diffShiftsInTurns(before.rest, sent, nextTurn);
    if (sync.dryRun) return this.unsaved(sync, planned, before.count);
    // A large sync is written on a connection of its own, a slice per turn, so lookups are answered while
    // it is written (notices go through the outbox on this connection: such a sync is written here).
    if (planned.length >= LENT_FROM && !sync.notices) {
      const lent = await writeLent(this.db, this.commit, sync, planned, version);
      if (lent.kind === 'done') {
        if (!lent.applied) return this.unsaved(sync, planned, before.count);
        if (lent.changes.length > 0) this.feed.flushed(lent.changes[lent.changes.length - 1].seq);
        return { applied: true, changes: lent.changes, inScope: before.count };
      }
    }
    // Durable before it resolves, so a feed entry a consumer has read is never lost to a crash.
    const result = await this.commit.writeDurable(() => {
      if (this.sourceVersion(sync.source) === version) return this.write(sync, planned, before.count);
      const fresh = this.inScope(sync);
      return this.write(sync, diffShifts(fresh, sync.shifts), fresh.length);
    });
    if (result.changes.length > 0) this.feed.flushed(result.changes[result.changes.length - 1].seq);
    return result;
  }

  async changes(query: ScheduleChangeQuery): Promise<ScheduleChange[]> {
    return this.feed.list(query);
  }

  async lastChangeSeq(): Promise<number> {
    return this.feed.last();
  }

  private unsaved(sync: ShiftSync, planned: readonly PlannedChange[], inScope: number): ShiftSyncResult {
    const at = sync.now;
    const changes = planned.map((c) => ({ ...c, seq: 0, at, source: sync.source, actor: sync.actor }));
    return { applied: false, changes, inScope };
  }

  /** Applies a diffed sync inside the write: shifts, feed entries, span bounds and notices together. */
  private write(sync: ShiftSync, planned: readonly PlannedChange[], inScope: number): ShiftSyncResult {
    const at = sync.now;
    if (sync.accept && !sync.accept(planned)) return this.unsaved(sync, planned, inScope);
    const touched = new Set<string>();
    // Deletes first: a changed shift may take a new id that another removed shift had.
    for (const c of planned) {
      if (c.before) {
        this.deleteShift.run(c.before.id);
        touched.add(c.before.assignmentId);
      }
    }
    for (const c of planned) {
      if (c.after) {
        this.insert(c.after);
        touched.add(c.after.assignmentId);
      }
    }
    const changes = planned.map((c) => this.feed.append(c, sync.source, sync.actor, at));
    for (const id of touched) {
      this.deleteSpan.run(id);
      this.computeSpan.run(id);
    }
    if (sync.notices && changes.length > 0) {
      const notices = sync.notices(changes);
      if (notices.length > 0) {
        if (!this.outbox) throw new Error('this schedule store was opened without an outbox');
        this.outbox.write(notices, at);
      }
    }
    return { applied: true, changes, inScope };
  }

  /** The newest feed seq of a source: it changes with every change to the source's shifts. */
  private sourceVersion(source: string): number {
    return (this.lastOfSource.get(source) as { n: number }).n;
  }

  /**
   * As inScope, a page of rows at a time with a turn of the event loop between pages; a stored row the sync
   * sends again unchanged is only counted (`same`), never made into a Shift, which is most rows of a resync.
   */
  private async inScopePaged(
    sync: ShiftSync,
    sent: ReadonlyMap<string, Shift>,
  ): Promise<{ rest: Shift[]; same: Set<string>; count: number }> {
    const scope = sync.scope;
    if (scope.kind === 'delta' && scope.deletedKeys.length + sync.shifts.length <= PAGE) {
      const rest = this.inScope(sync);
      return { rest, same: new Set(), count: rest.length };
    }
    const rest: Shift[] = [];
    const same = new Set<string>();
    const seen = new Set<string>();
    const take = (r: ShiftRow) => {
      if (seen.has(r.id)) return;
      seen.add(r.id);
      const x = sent.get(r.id);
      if (x !== undefined && sameShift(r, x)) same.add(r.id);
      else rest.push(toShift(r));
    };
    const takeArray = (r: ShiftArray) => {
      const id = r[0];
      if (seen.has(id)) return;
      seen.add(id);
      const x = sent.get(id);
      if (x !== undefined && sameShiftArray(r, x)) same.add(id);
      else rest.push(shiftOfArray(r));
    };
    if (scope.kind === 'delta') {
      for (let i = 0; i < scope.deletedKeys.length; i++) {
        for (const r of this.bySourceKey.all(sync.source, scope.deletedKeys[i]) as ShiftRow[]) take(r);
        if (i % PAGE === PAGE - 1) await nextTurn();
      }
    } else {
      const [to, from] =
        scope.kind === 'window' ? [scope.to.getTime(), scope.from.getTime()] : [Infinity, -Infinity];
      for (let after = 0; ; ) {
        const rows = this.pageOfSource.all(sync.source, after, PAGE) as Array<[...ShiftArray, number]>;
        for (const r of rows) if (r[3] < to && r[4] > from) takeArray(r as unknown as ShiftArray);
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1][10];
        await nextTurn();
      }
    }
    // Every stored shift of the source already seen (a first sync, or a source without history outside
    // the window): no sent id can match one elsewhere, so the lookups by id are skipped.
    if (scope.kind !== 'all' && (this.countOfSource.get(sync.source) as { n: number }).n > seen.size) {
      for (let i = 0; i < sync.shifts.length; i++) {
        const id = sync.shifts[i].id;
        if (!seen.has(id)) {
          const row = this.byId.get(id) as ShiftRow | undefined;
          if (row && row.source === sync.source) take(row);
        }
        if (i % PAGE === PAGE - 1) await nextTurn();
      }
    }
    return { rest, same, count: seen.size };
  }

  /** The stored shifts this sync speaks for, plus any stored shift that has the id of one it sends. */
  private inScope(sync: ShiftSync): Shift[] {
    const scope = sync.scope;
    let rows: ShiftRow[];
    if (scope.kind === 'all') rows = this.ofSource.all(sync.source) as ShiftRow[];
    else if (scope.kind === 'window') {
      rows = this.ofSourceOverlapping.all(
        sync.source,
        scope.to.getTime(),
        scope.from.getTime(),
      ) as ShiftRow[];
    } else {
      rows = [];
      for (const key of scope.deletedKeys)
        rows.push(...(this.bySourceKey.all(sync.source, key) as ShiftRow[]));
    }
    const seen = new Set(rows.map((r) => r.id));
    if (scope.kind !== 'all') {
      for (const s of sync.shifts) {
        if (seen.has(s.id)) continue;
        const row = this.byId.get(s.id) as ShiftRow | undefined;
        if (row && row.source === sync.source) {
          rows.push(row);
          seen.add(row.id);
        }
      }
    }
    return rows.map(toShift);
  }

  private insert(s: Shift): void {
    this.insertShift.run(...valuesOf(s));
  }

  async shiftsAt(assignmentId: string, at: Date): Promise<Shift[]> {
    return (this.onAt.all({ assignment: assignmentId, at: at.getTime() }) as ShiftRow[]).map(toShift);
  }

  async shiftsOverlapping(from: Date, to: Date, assignmentId?: string): Promise<Shift[]> {
    const rows =
      assignmentId === undefined
        ? this.overlapping.all({ from: from.getTime(), to: to.getTime() })
        : this.overlappingOne.all({ from: from.getTime(), to: to.getTime(), assignment: assignmentId });
    return (rows as ShiftRow[]).map(toShift);
  }

  shiftsByStart(from: Date, to: Date, options: { drafts?: boolean } = {}): AsyncIterable<Shift> {
    return shiftsByStartIn(this.db.name, from, to, options);
  }

  shiftReaderForThread(): ShiftReaderForThread | undefined {
    // Another connection to an in-memory database sees a database of its own, not this one.
    if (this.db.memory || this.db.name === '') return undefined;
    return { module: shiftFileReadModule, source: this.db.name };
  }

  async sources(): Promise<string[]> {
    return (this.distinctSources.all() as Array<{ source: string }>).map((r) => r.source);
  }
}

interface AssignmentRow {
  id: string;
  name: string;
  type: AssignmentType;
  department: string;
}

function toAssignment(r: AssignmentRow): Assignment {
  return { id: r.id, name: r.name, type: r.type, department: r.department };
}

export function toShift(r: ShiftRow): Shift {
  const shift: Shift = {
    id: r.id,
    assignmentId: r.assignment_id,
    personId: r.person_id,
    start: new Date(r.start_at),
    end: new Date(r.end_at),
    callOrder: r.call_order,
    notes: r.notes,
    published: r.published === 1,
    source: r.source,
  };
  if (r.source_key !== null) shift.sourceKey = r.source_key;
  return shift;
}

/** Whether a stored row is the shift as sent, to every field a reader or the feed sees. */
function sameShift(r: ShiftRow, x: Shift): boolean {
  return (
    r.assignment_id === x.assignmentId &&
    r.person_id === x.personId &&
    r.start_at === x.start.getTime() &&
    r.end_at === x.end.getTime() &&
    r.call_order === x.callOrder &&
    r.notes === x.notes &&
    r.published === (x.published ? 1 : 0) &&
    (r.source_key ?? undefined) === x.sourceKey
  );
}

/** As sameShift, for a row as an array (shiftColumns order). */
function sameShiftArray(r: ShiftArray, x: Shift): boolean {
  return (
    r[1] === x.assignmentId &&
    r[2] === x.personId &&
    r[3] === x.start.getTime() &&
    r[4] === x.end.getTime() &&
    r[5] === x.callOrder &&
    r[6] === x.notes &&
    r[7] === (x.published ? 1 : 0) &&
    (r[9] ?? undefined) === x.sourceKey
  );
}

/**
 * Refuses a bad shift before anything is written, so a caller's mistake never half-replaces a source, a
 * page per turn of the event loop; returns the shifts by id.
 */
async function checkShifts(source: string, shifts: readonly Shift[]): Promise<Map<string, Shift>> {
  const ids = new Map<string, Shift>();
  for (let i = 0; i < shifts.length; i++) {
    const s = shifts[i];
    checkShift(source, s);
    if (ids.has(s.id)) throw new Error(`UNIQUE shift id: ${s.id} is sent twice`);
    ids.set(s.id, s);
    if (i % PAGE === PAGE - 1) await nextTurn();
  }
  return ids;
}

function checkShift(source: string, s: Shift): void {
  if (s.source !== source) throw new Error(`shift ${s.id} belongs to source ${s.source}, not ${source}`);
  if (!(s.end.getTime() > s.start.getTime())) throw new Error(`shift ${s.id} must end after it starts`);
  if (!Number.isInteger(s.callOrder) || s.callOrder < 1) {
    throw new Error(`shift ${s.id} has call order ${s.callOrder}; it must be a whole number from 1`);
  }
}
