/**
 * What Switchboard remembers about each scheduling source it syncs (config/sources.yaml): how the last
 * pulls went, the delta cursor, a sync held by the mass-delete guard, and the rows the last sync could not
 * map to a person or an assignment. The shifts themselves and the change feed are in the ScheduleStore.
 */

export interface SourceStatusRecord {
  sourceId: string;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  /** Why the last attempt failed; null once one succeeds. */
  lastError: string | null;
  /** The first failure of the current run of failures. */
  failingSince: Date | null;
  /** What a delta source returned as its cursor at the last applied pull. */
  cursor: string | null;
  nextRunAt: Date | null;
  /** The outcome of the last run, as the engine summarises it (status, counts, message). */
  lastRun: unknown;
  /** When the failsafe group was told this source is stale; cleared by the next success. */
  staleAlertedAt: Date | null;
}

/** A sync the mass-delete guard held back, waiting for an admin or for the next sync to agree. */
export interface HeldSync {
  sourceId: string;
  heldAt: Date;
  reason: string;
  /** Shifts of the next 48 hours it would remove, of how many. */
  removes: number;
  ofTotal: number;
  /** Everything needed to apply it later, as the engine wrote it (JSON). */
  payload: unknown;
}

export type UnmappedReason = 'nobody' | 'two-people' | 'unknown-task';

/** A source row the last sync did not apply, because it maps to nobody, to two people or to no assignment. */
export interface UnmappedRow {
  sourceId: string;
  /** Position in the pull, 1-based. */
  rowNo: number;
  reason: UnmappedReason;
  /** Where the client says it came from ("line 14", "ScheduleKey 88412"). */
  rowRef: string | null;
  staff: Readonly<Record<string, string>>;
  task: Readonly<Record<string, string>>;
  start: Date;
  end: Date;
  /** The assignments the row's task maps to (empty for 'unknown-task'): those slots are coverage gaps. */
  assignmentIds: string[];
  /** The people a 'two-people' row matched. */
  personIds: string[];
  seenAt: Date;
}

export interface ScheduleSourceStore {
  status(sourceId: string): Promise<SourceStatusRecord | undefined>;
  /** Every source with a status, by id. */
  listStatus(): Promise<SourceStatusRecord[]>;
  saveStatus(status: SourceStatusRecord): Promise<void>;
  /** Holds a sync, replacing one already held for the source. */
  hold(held: HeldSync): Promise<void>;
  held(sourceId: string): Promise<HeldSync | undefined>;
  listHeld(): Promise<HeldSync[]>;
  dropHeld(sourceId: string): Promise<void>;
  /** Replaces the unmapped rows of a source with those of its latest sync. */
  replaceUnmapped(sourceId: string, rows: readonly UnmappedRow[]): Promise<void>;
  /** Unmapped rows of one source or all, by source then row. */
  unmapped(sourceId?: string): Promise<UnmappedRow[]>;
}
