import { type ChangeRow, shiftJson, toChange } from '../rows/schedule-changes.ts';
import type { PlannedChange, ScheduleChange, ScheduleChangeQuery } from '../schedule-port.ts';
import { Conditions } from './conditions.ts';
import type { PgClient, PgPool } from './database.ts';

/** The most a caller gets in one page of the feed. */
const maxChangesPerPage = 1000;

/**
 * The change feed in PostgreSQL (schedule_changes, migration 008). BIGSERIAL numbers are handed out at
 * insert, not at commit, so every writer first takes one transaction-level advisory lock on the feed:
 * writers commit one after another, in the order of their numbers, and a reader that has seen seq N
 * can never later find a smaller number appear. Every committed entry is on the disk (synchronous
 * commit), so the feed lists whatever is committed.
 */
export class PostgresChangeFeed {
  constructor(private readonly pool: PgPool) {}

  /** Serialises feed writers until the caller's transaction ends; call before reading what to change. */
  async lock(client: PgClient): Promise<void> {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard schedule change feed'))");
  }

  async append(
    client: PgClient,
    planned: readonly PlannedChange[],
    source: string,
    actor: string,
    at: Date,
  ): Promise<ScheduleChange[]> {
    if (planned.length === 0) return [];
    const { rows } = await client.query<{ seq: number; n: number }>(
      `INSERT INTO schedule_changes (at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor)
       SELECT $1, $2, shift_id, assignment_id, kinds, shift_before, shift_after, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY
           AS t(shift_id, assignment_id, kinds, shift_before, shift_after, n)
         ORDER BY n
       RETURNING seq`,
      [
        at.getTime(),
        source,
        actor,
        planned.map((c) => c.shiftId),
        planned.map((c) => c.assignmentId),
        planned.map((c) => c.kinds.join(',')),
        planned.map((c) => (c.before ? JSON.stringify(shiftJson(c.before)) : null)),
        planned.map((c) => (c.after ? JSON.stringify(shiftJson(c.after)) : null)),
      ],
    );
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    return planned.map((c, i) => ({ ...c, seq: seqs[i], at, source, actor }));
  }

  async last(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT COALESCE(MAX(seq), 0)::bigint AS n FROM schedule_changes',
    );
    return rows[0].n;
  }

  async list(q: ScheduleChangeQuery): Promise<ScheduleChange[]> {
    const c = new Conditions();
    c.add('seq > ?', q.after ?? 0);
    if (q.source !== undefined) c.add('source = ?', q.source);
    if (q.assignmentId !== undefined) c.add('assignment_id = ?', q.assignmentId);
    const [limit] = c.next(Math.min(Math.max(q.limit ?? 100, 1), maxChangesPerPage));
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT seq, at, source, shift_id, assignment_id, kinds, shift_before, shift_after, actor
       FROM schedule_changes ${c.where()} ORDER BY seq LIMIT ${limit}`,
      c.args,
    );
    return rows.map(toChange);
  }
}
