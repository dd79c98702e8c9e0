import type { HeldSync, SourceStatusRecord, UnmappedReason, UnmappedRow } from '../schedule-source-port.ts';

/** Scheduling sources state rows as both stores keep them (migration 008), and how they read back. */
export interface StatusRow {
  source_id: string;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  failing_since: number | null;
  delta_cursor: string | null;
  next_run_at: number | null;
  last_run: string | null;
  stale_alerted_at: number | null;
}

export interface HeldRow {
  source_id: string;
  held_at: number;
  reason: string;
  removes: number;
  of_total: number;
  payload: string;
}

export interface UnmappedDbRow {
  source_id: string;
  row_no: number;
  reason: string;
  row_ref: string | null;
  staff: string;
  task: string;
  start_at: number;
  end_at: number;
  assignment_ids: string;
  person_ids: string;
  seen_at: number;
}

export function ms(d: Date | null): number | null {
  return d === null ? null : d.getTime();
}

export function date(n: number | null): Date | null {
  return n === null ? null : new Date(n);
}

export function toStatus(r: StatusRow): SourceStatusRecord {
  return {
    sourceId: r.source_id,
    lastAttemptAt: date(r.last_attempt_at),
    lastSuccessAt: date(r.last_success_at),
    lastError: r.last_error,
    failingSince: date(r.failing_since),
    cursor: r.delta_cursor,
    nextRunAt: date(r.next_run_at),
    lastRun: r.last_run === null ? null : JSON.parse(r.last_run),
    staleAlertedAt: date(r.stale_alerted_at),
  };
}

export function toHeld(r: HeldRow): HeldSync {
  return {
    sourceId: r.source_id,
    heldAt: new Date(r.held_at),
    reason: r.reason,
    removes: r.removes,
    ofTotal: r.of_total,
    payload: JSON.parse(r.payload),
  };
}

export function toUnmapped(r: UnmappedDbRow): UnmappedRow {
  return {
    sourceId: r.source_id,
    rowNo: r.row_no,
    reason: r.reason as UnmappedReason,
    rowRef: r.row_ref,
    staff: JSON.parse(r.staff),
    task: JSON.parse(r.task),
    start: new Date(r.start_at),
    end: new Date(r.end_at),
    assignmentIds: JSON.parse(r.assignment_ids),
    personIds: JSON.parse(r.person_ids),
    seenAt: new Date(r.seen_at),
  };
}
