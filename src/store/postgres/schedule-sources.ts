import {
  type HeldRow,
  ms,
  type StatusRow,
  toHeld,
  toStatus,
  toUnmapped,
  type UnmappedDbRow,
} from '../rows/schedule-sources.ts';
import type {
  HeldSync,
  ScheduleSourceStore,
  SourceStatusRecord,
  UnmappedRow,
} from '../schedule-source-port.ts';
import { inTransaction, type PgPool, type WritesInFlight } from './database.ts';

/** Scheduling sources' state in PostgreSQL (migration 008): small tables, written a few times per sync. */
export class PostgresScheduleSources implements ScheduleSourceStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async status(sourceId: string): Promise<SourceStatusRecord | undefined> {
    const { rows } = await this.pool.query<StatusRow>(
      'SELECT * FROM schedule_source_status WHERE source_id = $1',
      [sourceId],
    );
    return rows[0] ? toStatus(rows[0]) : undefined;
  }

  async listStatus(): Promise<SourceStatusRecord[]> {
    const { rows } = await this.pool.query<StatusRow>(
      'SELECT * FROM schedule_source_status ORDER BY source_id COLLATE "C"',
    );
    return rows.map(toStatus);
  }

  async saveStatus(r: SourceStatusRecord): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO schedule_source_status (source_id, last_attempt_at, last_success_at, last_error, failing_since,
           delta_cursor, next_run_at, last_run, stale_alerted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (source_id) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
           last_success_at = excluded.last_success_at, last_error = excluded.last_error,
           failing_since = excluded.failing_since, delta_cursor = excluded.delta_cursor,
           next_run_at = excluded.next_run_at, last_run = excluded.last_run,
           stale_alerted_at = excluded.stale_alerted_at`,
        [
          r.sourceId,
          ms(r.lastAttemptAt),
          ms(r.lastSuccessAt),
          r.lastError,
          ms(r.failingSince),
          r.cursor,
          ms(r.nextRunAt),
          r.lastRun === undefined || r.lastRun === null ? null : JSON.stringify(r.lastRun),
          ms(r.staleAlertedAt),
        ],
      ),
    );
  }

  async hold(h: HeldSync): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO schedule_held_syncs (source_id, held_at, reason, removes, of_total, payload)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (source_id) DO UPDATE SET held_at = excluded.held_at, reason = excluded.reason,
           removes = excluded.removes, of_total = excluded.of_total, payload = excluded.payload`,
        [h.sourceId, h.heldAt.getTime(), h.reason, h.removes, h.ofTotal, JSON.stringify(h.payload)],
      ),
    );
  }

  async held(sourceId: string): Promise<HeldSync | undefined> {
    const { rows } = await this.pool.query<HeldRow>(
      'SELECT * FROM schedule_held_syncs WHERE source_id = $1',
      [sourceId],
    );
    return rows[0] ? toHeld(rows[0]) : undefined;
  }

  async listHeld(): Promise<HeldSync[]> {
    const { rows } = await this.pool.query<HeldRow>(
      'SELECT * FROM schedule_held_syncs ORDER BY source_id COLLATE "C"',
    );
    return rows.map(toHeld);
  }

  async dropHeld(sourceId: string): Promise<void> {
    await this.writes.track(
      this.pool.query('DELETE FROM schedule_held_syncs WHERE source_id = $1', [sourceId]),
    );
  }

  async replaceUnmapped(sourceId: string, rows: readonly UnmappedRow[]): Promise<void> {
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query('DELETE FROM schedule_unmapped WHERE source_id = $1', [sourceId]);
        for (const r of rows) {
          await client.query(
            `INSERT INTO schedule_unmapped (source_id, row_no, reason, row_ref, staff, task, start_at, end_at,
               assignment_ids, person_ids, seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            [
              sourceId,
              r.rowNo,
              r.reason,
              r.rowRef,
              JSON.stringify(r.staff),
              JSON.stringify(r.task),
              r.start.getTime(),
              r.end.getTime(),
              JSON.stringify(r.assignmentIds),
              JSON.stringify(r.personIds),
              r.seenAt.getTime(),
            ],
          );
        }
      }),
    );
  }

  async unmapped(sourceId?: string): Promise<UnmappedRow[]> {
    const { rows } =
      sourceId === undefined
        ? await this.pool.query<UnmappedDbRow>(
            'SELECT * FROM schedule_unmapped ORDER BY source_id COLLATE "C", row_no',
          )
        : await this.pool.query<UnmappedDbRow>(
            'SELECT * FROM schedule_unmapped WHERE source_id = $1 ORDER BY row_no',
            [sourceId],
          );
    return rows.map(toUnmapped);
  }
}
