/**
 * The schedule store port: the one place shifts live. Config files, CSV drops and (later) synced
 * scheduling systems such as Amion all write here, each under its own `source`, and everything that asks
 * "who is on call" reads from here. Types sit in `src/store/` because the store imports nothing above it.
 */

import type { NewDelivery } from './outbox-port.ts';

/** 'oncall': a call role with a call order; 'team': everyone on shift answers; 'role': a staffed post. */
export type AssignmentType = 'oncall' | 'team' | 'role';

export const assignmentTypes: readonly AssignmentType[] = ['oncall', 'team', 'role'];

/** Something a shift is worked for, e.g. "Hospitalist on call" or "Rapid response team". */
export interface Assignment {
  /** Our stable id, e.g. 'hospitalist-oncall'. */
  id: string;
  name: string;
  type: AssignmentType;
  department: string;
}

/** One person (or placeholder) covering one assignment for one interval. */
export interface Shift {
  /** Stable within its source, so a re-import of the same schedule keeps the same ids. */
  id: string;
  assignmentId: string;
  /** A directory person id; may be a placeholder such as 'ph-cardiology-fellow'. */
  personId: string;
  /** Inclusive, UTC instant. */
  start: Date;
  /** Exclusive, UTC instant: a shift ending at 07:00 is not on at 07:00. */
  end: Date;
  /** 1 = first call, 2 = second call (backup), ... */
  callOrder: number;
  notes: string;
  /** Draft shifts are stored but nobody is paged from them. */
  published: boolean;
  /** Where the shift came from: 'yaml', 'csv:<file>', 'demo', later 'amion', ... */
  source: string;
  /**
   * The scheduling system's own id of the row this shift came from (QGenda ScheduleKey, a push client's
   * shift id), when it has one: a delta deletes by it, and one row mapped to two assignments shares it.
   */
  sourceKey?: string;
}

export interface ReplaceResult {
  /** Shifts from this source before the replacement. */
  removed: number;
  inserted: number;
}

/**
 * Which stored shifts of a source one sync speaks for:
 * - 'all': every shift of the source (config sources: yaml, csv, demo);
 * - 'window': every shift of the source that overlaps [from, to); those not in the sync are removed;
 * - 'delta': only the shifts in the sync (added or updated by id) and those whose sourceKey is deleted.
 */
export type ShiftSyncScope =
  | { kind: 'all' }
  | { kind: 'window'; from: Date; to: Date }
  | { kind: 'delta'; deletedKeys: readonly string[] };

/** One change before it has a place in the feed (what the diff yields). */
export type PlannedChange = Omit<ScheduleChange, 'seq' | 'at' | 'source' | 'actor'>;

export interface ShiftSync {
  source: string;
  scope: ShiftSyncScope;
  /** Every shift must carry `source`. */
  shifts: readonly Shift[];
  /** Who applies it, recorded on each change ('sync:amion', 'push:lightning-bolt', 'config', a user). */
  actor: string;
  now: Date;
  dryRun?: boolean;
  /**
   * Decides, inside the write and from the diff, whether to apply it (the mass-delete guard): false
   * writes nothing and the result says applied: false.
   */
  accept?: (changes: readonly PlannedChange[]) => boolean;
  /** Notices the changes cause (people told of a changed shift), written in the same transaction. */
  notices?: (changes: readonly ScheduleChange[]) => NewDelivery[];
}

export interface ShiftSyncResult {
  applied: boolean;
  changes: ScheduleChange[];
  /** Shifts of the source in scope before the sync. */
  inScope: number;
}

export interface ScheduleStore {
  /** Inserts or updates assignments by id. Assignments are never deleted here: old shifts refer to them. */
  upsertAssignments(assignments: readonly Assignment[]): Promise<void>;
  /** Every assignment, sorted by id. */
  listAssignments(): Promise<Assignment[]>;
  getAssignment(id: string): Promise<Assignment | undefined>;
  /**
   * Atomically replaces every shift that came from `source` with `shifts` (whose `source` must be the same):
   * a reader sees either the old schedule or the new one, never a mix and never an empty gap between them.
   */
  replaceShifts(source: string, shifts: readonly Shift[], actor?: string): Promise<ReplaceResult>;
  /**
   * Applies one sync of `source` in one transaction: diffs `shifts` against the stored shifts in scope
   * (see ShiftSyncScope), writes the shifts, the change feed entries and the notices they cause together.
   * A resync of an unchanged schedule writes nothing. With `dryRun` nothing is written and the changes
   * come back with seq 0. `replaceShifts` is this with scope 'all' and actor 'config'.
   */
  applySync(sync: ShiftSync): Promise<ShiftSyncResult>;
  /** The change feed after a cursor, ordered by seq; only what is committed and on the disk. */
  changes(query: ScheduleChangeQuery): Promise<ScheduleChange[]>;
  /** The newest seq of the feed (0 when empty): a consumer starting fresh may begin from here. */
  lastChangeSeq(): Promise<number>;
  /** Shifts (published or draft) of one assignment that are on at instant `at`, by call order then start. */
  shiftsAt(assignmentId: string, at: Date): Promise<Shift[]>;
  /** Shifts that overlap [from, to), optionally of one assignment, by assignment, start, call order. */
  shiftsOverlapping(from: Date, to: Date, assignmentId?: string): Promise<Shift[]>;
  /**
   * Shifts that overlap [from, to), by start, then assignment, call order and id (text compared byte-wise):
   * the order a file writes them in. Read a page at a time, each page a range of starts from where the last
   * one ended (a thousand shifts or so, never split inside one start), so a file of any size holds one page
   * in memory, no shift is read twice, and writes go on between pages. Published shifts only, unless `drafts`.
   */
  shiftsByStart(from: Date, to: Date, options?: { drafts?: boolean }): AsyncIterable<Shift>;
  /**
   * How another thread reads the same shiftsByStart on a connection of its own, for a store that allows it
   * (an embedded database on the disk); undefined or absent when only this connection can (a database in
   * memory, a database server reached through the store's pool).
   */
  shiftReaderForThread?(): ShiftReaderForThread | undefined;
  /** Every source that has at least one shift stored, sorted. */
  sources(): Promise<string[]>;
}

/**
 * A module a thread imports to read shifts: its export `shiftsByStart(source, from, to, options)` yields
 * what ScheduleStore.shiftsByStart would. Both are plain text, so they cross to a worker thread as they are.
 */
export interface ShiftReaderForThread {
  /** The module's URL. */
  module: string;
  /** What the module reads from (an SQLite file's path). */
  source: string;
}

/**
 * What one applied sync changed about one shift, in the hospital's terms. A shift keeps its identity
 * across syncs by its id (sources that have their own shift ids keep them; others are paired by slot:
 * assignment, call order and start), so a swap of doctors reads "person changed", not a delete and an add.
 */
export type ScheduleChangeKind =
  | 'added'
  | 'removed'
  | 'person-changed'
  | 'time-changed'
  | 'call-order-changed'
  | 'notes-changed'
  | 'published'
  | 'unpublished';

/**
 * One entry of the change feed. Written in the same transaction as the shifts it describes, so the feed
 * and the schedule never disagree, and numbered in commit order: a consumer that remembers the last `seq`
 * it handled resumes from there with no gap and no repeat.
 */
export interface ScheduleChange {
  /** The feed cursor: strictly increasing in commit order. */
  seq: number;
  /** When the change was committed. */
  at: Date;
  source: string;
  shiftId: string;
  assignmentId: string;
  /** Every way the shift changed ('added' and 'removed' stand alone). */
  kinds: ScheduleChangeKind[];
  /** The shift as it was; null when added. */
  before: Shift | null;
  /** The shift as it is now; null when removed. */
  after: Shift | null;
  /** Who or what applied it: 'sync:<source>', 'push:<client>', 'config', an admin's name. */
  actor: string;
}

export interface ScheduleChangeQuery {
  /** Only changes with seq above this. @defaultValue 0 */
  after?: number;
  limit?: number;
  source?: string;
  assignmentId?: string;
}
