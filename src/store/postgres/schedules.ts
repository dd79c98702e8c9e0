import type { Assignment, AssignmentType, ReplaceResult, ScheduleStore, Shift } from '../schedule-port.ts';
import { inTransaction, type PgPool, type WritesInFlight } from './database.ts';

interface ShiftRow {
  id: string;
  assignment_id: string;
  person_id: string;
  start_at: number;
  end_at: number;
  call_order: number;
  notes: string;
  published: boolean;
  source: string;
}

interface AssignmentRow {
  id: string;
  name: string;
  type: AssignmentType;
  department: string;
}

const shiftColumns = 'id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source';

/**
 * Shifts in PostgreSQL, with the same bounded on-call lookup as the embedded store (migration 002).
 * Text is ordered byte-wise (COLLATE "C"), as SQLite orders it, whatever the database's locale.
 */
export class PostgresScheduleStore implements ScheduleStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async upsertAssignments(assignments: readonly Assignment[]): Promise<void> {
    if (assignments.length === 0) return;
    await this.writes.track(
      this.pool.query(
        `INSERT INTO assignments (id, name, type, department)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, department = excluded.department`,
        [
          assignments.map((a) => a.id),
          assignments.map((a) => a.name),
          assignments.map((a) => a.type),
          assignments.map((a) => a.department),
        ],
      ),
    );
  }

  async listAssignments(): Promise<Assignment[]> {
    const { rows } = await this.pool.query<AssignmentRow>(
      'SELECT id, name, type, department FROM assignments ORDER BY id COLLATE "C"',
    );
    return rows.map(toAssignment);
  }

  async getAssignment(id: string): Promise<Assignment | undefined> {
    const { rows } = await this.pool.query<AssignmentRow>(
      'SELECT id, name, type, department FROM assignments WHERE id = $1',
      [id],
    );
    return rows[0] ? toAssignment(rows[0]) : undefined;
  }

  async replaceShifts(source: string, shifts: readonly Shift[]): Promise<ReplaceResult> {
    for (const s of shifts) checkShift(source, s);
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        // One replacement of a source at a time across instances; readers see the old or the new schedule.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard shifts ' || $1))", [source]);
        const removed = await client.query<{ assignment_id: string }>(
          'DELETE FROM shifts WHERE source = $1 RETURNING assignment_id',
          [source],
        );
        const touched = new Set(removed.rows.map((r) => r.assignment_id));
        if (shifts.length > 0) {
          await client.query(
            `INSERT INTO shifts (${shiftColumns})
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[],
               $7::text[], $8::boolean[], $9::text[])`,
            [
              shifts.map((s) => s.id),
              shifts.map((s) => s.assignmentId),
              shifts.map((s) => s.personId),
              shifts.map((s) => s.start.getTime()),
              shifts.map((s) => s.end.getTime()),
              shifts.map((s) => s.callOrder),
              shifts.map((s) => s.notes),
              shifts.map((s) => s.published),
              shifts.map(() => source),
            ],
          );
        }
        for (const s of shifts) touched.add(s.assignmentId);
        if (touched.size > 0) {
          const ids = [...touched];
          await client.query('DELETE FROM shift_spans WHERE assignment_id = ANY($1)', [ids]);
          await client.query(
            `INSERT INTO shift_spans (assignment_id, longest_ms)
             SELECT assignment_id, MAX(end_at - start_at) FROM shifts WHERE assignment_id = ANY($1)
             GROUP BY assignment_id`,
            [ids],
          );
        }
        return { removed: removed.rowCount ?? 0, inserted: shifts.length };
      }),
    );
  }

  async shiftsAt(assignmentId: string, at: Date): Promise<Shift[]> {
    // No span row (no shifts) makes the bound NULL and the answer empty.
    const { rows } = await this.pool.query<ShiftRow>(
      `SELECT ${shiftColumns} FROM shifts
       WHERE assignment_id = $1 AND start_at <= $2
         AND start_at > $2 - (SELECT longest_ms FROM shift_spans WHERE assignment_id = $1)
         AND end_at > $2
       ORDER BY call_order, start_at, id COLLATE "C"`,
      [assignmentId, at.getTime()],
    );
    return rows.map(toShift);
  }

  async shiftsOverlapping(from: Date, to: Date, assignmentId?: string): Promise<Shift[]> {
    const { rows } =
      assignmentId === undefined
        ? await this.pool.query<ShiftRow>(
            `SELECT ${shiftColumns} FROM shifts
             WHERE start_at < $2 AND start_at > $1 - (SELECT MAX(longest_ms) FROM shift_spans) AND end_at > $1
             ORDER BY assignment_id COLLATE "C", start_at, call_order, id COLLATE "C"`,
            [from.getTime(), to.getTime()],
          )
        : await this.pool.query<ShiftRow>(
            `SELECT ${shiftColumns} FROM shifts
             WHERE assignment_id = $3 AND start_at < $2
               AND start_at > $1 - (SELECT longest_ms FROM shift_spans WHERE assignment_id = $3)
               AND end_at > $1
             ORDER BY start_at, call_order, id COLLATE "C"`,
            [from.getTime(), to.getTime(), assignmentId],
          );
    return rows.map(toShift);
  }

  async sources(): Promise<string[]> {
    const { rows } = await this.pool.query<{ source: string }>(
      'SELECT source FROM shifts GROUP BY source ORDER BY source COLLATE "C"',
    );
    return rows.map((r) => r.source);
  }
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
    published: r.published,
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
