import { diffShifts } from '../schedule-diff.ts';
import type {
  Assignment,
  AssignmentType,
  ReplaceResult,
  ScheduleChange,
  ScheduleChangeQuery,
  ScheduleStore,
  Shift,
  ShiftSync,
  ShiftSyncResult,
} from '../schedule-port.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';
import type { PostgresOutbox } from './outbox.ts';
import { PostgresChangeFeed } from './schedule-changes.ts';

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
  source_key: string | null;
}

interface AssignmentRow {
  id: string;
  name: string;
  type: AssignmentType;
  department: string;
}

/** Shifts per page of shiftsByStart: what a file's reader holds, however many start at one instant. */
const FILE_PAGE = 1000;

const shiftColumns =
  'id, assignment_id, person_id, start_at, end_at, call_order, notes, published, source, source_key';

/**
 * Shifts in PostgreSQL, with the same bounded on-call lookup as the embedded store (migration 002).
 * Text is ordered byte-wise (COLLATE "C"), as SQLite orders it, whatever the database's locale.
 */
export class PostgresScheduleStore implements ScheduleStore {
  private readonly feed: PostgresChangeFeed;

  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
    private readonly outbox: PostgresOutbox,
    /** Synchronous commits: an applied sync is on the disk before a feed consumer can read it. */
    private readonly durablePool: PgPool,
  ) {
    this.feed = new PostgresChangeFeed(pool);
  }

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

  async replaceShifts(source: string, shifts: readonly Shift[], actor = 'config'): Promise<ReplaceResult> {
    const r = await this.applySync({ source, scope: { kind: 'all' }, shifts, actor, now: new Date() });
    return { removed: r.inScope, inserted: shifts.length };
  }

  async applySync(sync: ShiftSync): Promise<ShiftSyncResult> {
    checkShifts(sync.source, sync.shifts);
    let channels = new Set<string>();
    const result = await this.writes.track(
      inTransaction(this.durablePool, async (client) => {
        // Before reading: syncs of any source wait in turn, so the feed's numbers follow commit order.
        if (!sync.dryRun) await this.feed.lock(client);
        const before = await inScope(client, sync);
        const planned = diffShifts(before, sync.shifts);
        const at = sync.now;
        if (sync.dryRun || (sync.accept && !sync.accept(planned))) {
          const unsaved = planned.map((c) => ({ ...c, seq: 0, at, source: sync.source, actor: sync.actor }));
          return { applied: false, changes: unsaved, inScope: before.length };
        }
        const touched = new Set<string>();
        // Deletes first: a changed shift may take a new id that another removed shift had.
        const gone = planned.flatMap((c) => (c.before ? [c.before] : []));
        const added = planned.flatMap((c) => (c.after ? [c.after] : []));
        if (gone.length) await client.query('DELETE FROM shifts WHERE id = ANY($1)', [gone.map((g) => g.id)]);
        await insertShifts(client, added);
        for (const sh of [...gone, ...added]) touched.add(sh.assignmentId);
        const changes = await this.feed.append(client, planned, sync.source, sync.actor, at);
        await recomputeSpans(client, [...touched]);
        if (sync.notices && changes.length > 0) {
          const notices = sync.notices(changes);
          if (notices.length > 0) channels = (await this.outbox.write(client, notices, at)).channels;
        }
        return { applied: true, changes, inScope: before.length };
      }),
    );
    this.outbox.committed(channels);
    return result;
  }

  changes(query: ScheduleChangeQuery): Promise<ScheduleChange[]> {
    return this.feed.list(query);
  }

  lastChangeSeq(): Promise<number> {
    return this.feed.last();
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

  async *shiftsByStart(from: Date, to: Date, options: { drafts?: boolean } = {}): AsyncGenerator<Shift> {
    const { rows: spans } = await this.pool.query<{ n: string | null }>(
      'SELECT MAX(longest_ms) AS n FROM shift_spans',
    );
    if (spans[0].n === null) return;
    // No shift that starts a longest shift or more before `from` can still be on at `from`.
    let after: [number, string, number, string] = [from.getTime() - Number(spans[0].n), '', 0, ''];
    for (;;) {
      // Keyset pages along shifts_file_order (migration 018), each after the last row of the one before:
      // FILE_PAGE rows even inside a run of equal starts, none read twice, nothing sorted; no cursor (and
      // so no pooled connection) is held while the file's reader uploads.
      const { rows } = await this.pool.query<ShiftRow>(
        `SELECT ${shiftColumns} FROM shifts
         WHERE (start_at, assignment_id COLLATE "C", call_order, id COLLATE "C") > ($1, $2, $3, $4)
           AND start_at < $5 AND end_at > $6 AND (published OR $7)
         ORDER BY start_at, assignment_id COLLATE "C", call_order, id COLLATE "C"
         LIMIT ${FILE_PAGE}`,
        [...after, to.getTime(), from.getTime(), options.drafts === true],
      );
      for (const r of rows) yield toShift(r);
      if (rows.length < FILE_PAGE) return;
      const last = rows[rows.length - 1];
      after = [Number(last.start_at), last.assignment_id, last.call_order, last.id];
    }
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
    ...(r.source_key !== null ? { sourceKey: r.source_key } : {}),
  };
}

/** The stored shifts this sync speaks for, plus any stored shift that has the id of one it sends. */
async function inScope(client: PgClient, sync: ShiftSync): Promise<Shift[]> {
  const scope = sync.scope;
  const select = `SELECT ${shiftColumns} FROM shifts`;
  let rows: ShiftRow[];
  if (scope.kind === 'all') {
    rows = (await client.query<ShiftRow>(`${select} WHERE source = $1`, [sync.source])).rows;
  } else if (scope.kind === 'window') {
    rows = (
      await client.query<ShiftRow>(`${select} WHERE source = $1 AND start_at < $2 AND end_at > $3`, [
        sync.source,
        scope.to.getTime(),
        scope.from.getTime(),
      ])
    ).rows;
  } else {
    rows = (
      await client.query<ShiftRow>(`${select} WHERE source = $1 AND source_key = ANY($2)`, [
        sync.source,
        [...scope.deletedKeys],
      ])
    ).rows;
  }
  if (scope.kind !== 'all') {
    const seen = new Set(rows.map((r) => r.id));
    const wanted = sync.shifts.map((sh) => sh.id).filter((id) => !seen.has(id));
    if (wanted.length > 0) {
      const more = await client.query<ShiftRow>(`${select} WHERE id = ANY($1) AND source = $2`, [
        wanted,
        sync.source,
      ]);
      rows.push(...more.rows);
    }
  }
  return rows.map(toShift);
}

async function insertShifts(client: PgClient, shifts: readonly Shift[]): Promise<void> {
  if (shifts.length === 0) return;
  await client.query(
    `INSERT INTO shifts (${shiftColumns})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[],
       $7::text[], $8::boolean[], $9::text[], $10::text[])`,
    [
      shifts.map((sh) => sh.id),
      shifts.map((sh) => sh.assignmentId),
      shifts.map((sh) => sh.personId),
      shifts.map((sh) => sh.start.getTime()),
      shifts.map((sh) => sh.end.getTime()),
      shifts.map((sh) => sh.callOrder),
      shifts.map((sh) => sh.notes),
      shifts.map((sh) => sh.published),
      shifts.map((sh) => sh.source),
      shifts.map((sh) => sh.sourceKey ?? null),
    ],
  );
}

/** The longest shift per touched assignment: the bound of the on-call lookup (migration 002). */
async function recomputeSpans(client: PgClient, assignmentIds: string[]): Promise<void> {
  if (assignmentIds.length === 0) return;
  await client.query('DELETE FROM shift_spans WHERE assignment_id = ANY($1)', [assignmentIds]);
  await client.query(
    `INSERT INTO shift_spans (assignment_id, longest_ms)
     SELECT assignment_id, MAX(end_at - start_at) FROM shifts WHERE assignment_id = ANY($1)
     GROUP BY assignment_id`,
    [assignmentIds],
  );
}

/** Refuses a bad batch before anything is written, so a caller's mistake never half-replaces a source. */
function checkShifts(source: string, shifts: readonly Shift[]): void {
  const ids = new Set<string>();
  for (const sh of shifts) {
    checkShift(source, sh);
    if (ids.has(sh.id)) throw new Error(`UNIQUE shift id: ${sh.id} is sent twice`);
    ids.add(sh.id);
  }
}

function checkShift(source: string, s: Shift): void {
  if (s.source !== source) throw new Error(`shift ${s.id} belongs to source ${s.source}, not ${source}`);
  if (!(s.end.getTime() > s.start.getTime())) throw new Error(`shift ${s.id} must end after it starts`);
  if (!Number.isInteger(s.callOrder) || s.callOrder < 1) {
    throw new Error(`shift ${s.id} has call order ${s.callOrder}; it must be a whole number from 1`);
  }
}
