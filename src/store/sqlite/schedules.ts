import type { Assignment, AssignmentType, ReplaceResult, ScheduleStore, Shift } from '../schedule-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

interface ShiftRow {
  id: string;
  assignment_id: string;
  person_id: string;
  start_at: number;
  end_at: number;
  call_order: number;
  notes: string;
  published: number;
  source: string;
}

const shiftColumns = 'id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source';

/**
 * Shifts in SQLite. Every statement is prepared once; the on-call lookup is a single range scan of
 * `shifts_on_call` bounded by the assignment's longest shift (see migration 002 for why).
 */
export class SqliteScheduleStore implements ScheduleStore {
  private readonly upsertAssignment;
  private readonly allAssignments;
  private readonly assignmentById;
  private readonly countSource;
  private readonly assignmentsOfSource;
  private readonly deleteSource;
  private readonly insertShift;
  private readonly deleteSpan;
  private readonly computeSpan;
  private readonly onAt;
  private readonly overlapping;
  private readonly overlappingOne;
  private readonly distinctSources;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.upsertAssignment = db.prepare(
      `INSERT INTO assignments (id, name, type, department) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, department = excluded.department`,
    );
    this.allAssignments = db.prepare('SELECT id, name, type, department FROM assignments ORDER BY id');
    this.assignmentById = db.prepare('SELECT id, name, type, department FROM assignments WHERE id = ?');
    this.countSource = db.prepare('SELECT count(*) AS n FROM shifts WHERE source = ?');
    this.assignmentsOfSource = db.prepare('SELECT DISTINCT assignment_id AS id FROM shifts WHERE source = ?');
    this.deleteSource = db.prepare('DELETE FROM shifts WHERE source = ?');
    this.insertShift = db.prepare(`INSERT INTO shifts (${shiftColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
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

  async replaceShifts(source: string, shifts: readonly Shift[]): Promise<ReplaceResult> {
    for (const s of shifts) checkShift(source, s);
    return this.commit.write(() => {
      const removed = (this.countSource.get(source) as { n: number }).n;
      const touched = new Set(
        (this.assignmentsOfSource.all(source) as Array<{ id: string }>).map((r) => r.id),
      );
      this.deleteSource.run(source);
      for (const s of shifts) {
        this.insertShift.run(
          s.id,
          s.assignmentId,
          s.personId,
          s.start.getTime(),
          s.end.getTime(),
          s.callOrder,
          s.notes,
          s.published ? 1 : 0,
          source,
        );
        touched.add(s.assignmentId);
      }
      for (const id of touched) {
        this.deleteSpan.run(id);
        this.computeSpan.run(id);
      }
      return { removed, inserted: shifts.length };
    });
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

function toShift(r: ShiftRow): Shift {
  return {
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
}

/** Refuses a bad shift before anything is written, so a caller's mistake never half-replaces a source. */
function checkShift(source: string, s: Shift): void {
  if (s.source !== source) throw new Error(`shift ${s.id} belongs to source ${s.source}, not ${source}`);
  if (!(s.end.getTime() > s.start.getTime())) throw new Error(`shift ${s.id} must end after it starts`);
  if (!Number.isInteger(s.callOrder) || s.callOrder < 1) {
    throw new Error(`shift ${s.id} has call order ${s.callOrder}; it must be a whole number from 1`);
  }
}
