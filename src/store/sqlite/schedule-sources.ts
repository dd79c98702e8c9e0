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
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/** Scheduling sources' state in SQLite (migration 008). Small tables, written a few times per sync. */
export class SqliteScheduleSources implements ScheduleSourceStore {
  private readonly s;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.s = {
      status: db.prepare('SELECT * FROM schedule_source_status WHERE source_id = ?'),
      allStatus: db.prepare('SELECT * FROM schedule_source_status ORDER BY source_id'),
      saveStatus: db.prepare(
        `INSERT INTO schedule_source_status (source_id, last_attempt_at, last_success_at, last_error, failing_since,
           delta_cursor, next_run_at, last_run, stale_alerted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
           last_success_at = excluded.last_success_at, last_error = excluded.last_error,
           failing_since = excluded.failing_since, delta_cursor = excluded.delta_cursor,
           next_run_at = excluded.next_run_at, last_run = excluded.last_run,
           stale_alerted_at = excluded.stale_alerted_at`,
      ),
      hold: db.prepare(
        `INSERT INTO schedule_held_syncs (source_id, held_at, reason, removes, of_total, payload)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id) DO UPDATE SET held_at = excluded.held_at, reason = excluded.reason,
           removes = excluded.removes, of_total = excluded.of_total, payload = excluded.payload`,
      ),
      held: db.prepare('SELECT * FROM schedule_held_syncs WHERE source_id = ?'),
      allHeld: db.prepare('SELECT * FROM schedule_held_syncs ORDER BY source_id'),
      dropHeld: db.prepare('DELETE FROM schedule_held_syncs WHERE source_id = ?'),
      dropUnmapped: db.prepare('DELETE FROM schedule_unmapped WHERE source_id = ?'),
      addUnmapped: db.prepare(
        `INSERT INTO schedule_unmapped (source_id, row_no, reason, row_ref, staff, task, start_at, end_at,
           assignment_ids, person_ids, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      unmappedOf: db.prepare('SELECT * FROM schedule_unmapped WHERE source_id = ? ORDER BY row_no'),
      allUnmapped: db.prepare('SELECT * FROM schedule_unmapped ORDER BY source_id, row_no'),
    };
  }

  async status(sourceId: string): Promise<SourceStatusRecord | undefined> {
    const row = this.s.status.get(sourceId) as StatusRow | undefined;
    return row ? toStatus(row) : undefined;
  }

  async listStatus(): Promise<SourceStatusRecord[]> {
    return (this.s.allStatus.all() as StatusRow[]).map(toStatus);
  }

  async saveStatus(r: SourceStatusRecord): Promise<void> {
    await this.commit.write(() =>
      this.s.saveStatus.run(
        r.sourceId,
        ms(r.lastAttemptAt),
        ms(r.lastSuccessAt),
        r.lastError,
        ms(r.failingSince),
        r.cursor,
        ms(r.nextRunAt),
        r.lastRun === undefined || r.lastRun === null ? null : JSON.stringify(r.lastRun),
        ms(r.staleAlertedAt),
      ),
    );
  }

  async hold(h: HeldSync): Promise<void> {
    await this.commit.writeDurable(() =>
      this.s.hold.run(
        h.sourceId,
        h.heldAt.getTime(),
        h.reason,
        h.removes,
        h.ofTotal,
        JSON.stringify(h.payload),
      ),
    );
  }

  async held(sourceId: string): Promise<HeldSync | undefined> {
    const row = this.s.held.get(sourceId) as HeldRow | undefined;
    return row ? toHeld(row) : undefined;
  }

  async listHeld(): Promise<HeldSync[]> {
    return (this.s.allHeld.all() as HeldRow[]).map(toHeld);
  }

  async dropHeld(sourceId: string): Promise<void> {
    await this.commit.write(() => this.s.dropHeld.run(sourceId));
  }

  async replaceUnmapped(sourceId: string, rows: readonly UnmappedRow[]): Promise<void> {
    await this.commit.write(() => {
      this.s.dropUnmapped.run(sourceId);
      for (const r of rows) {
        this.s.addUnmapped.run(
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
        );
      }
    });
  }

  async unmapped(sourceId?: string): Promise<UnmappedRow[]> {
    const rows = sourceId === undefined ? this.s.allUnmapped.all() : this.s.unmappedOf.all(sourceId);
    return (rows as UnmappedDbRow[]).map(toUnmapped);
  }
}
