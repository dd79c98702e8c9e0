/**
 * The contract between a scheduling system's client (one file per system in this folder) and the sync
 * engine. A client only fetches and reads its system's format; it knows nothing about our directory or
 * assignments. The engine maps each row's staff and task to a person and assignments (the per-source
 * mapping in config), runs the guards (a failed pull changes nothing, the mass-delete guard, unmapped
 * rows never guessed) and writes through the schedule store, which records the change feed.
 */

/** A row's person as the source names them, by the source's own field names (e.g. StaffKey, Abbrev). */
export type SourceStaff = Readonly<Record<string, string>>;

/** A row's task (what the shift is worked for) by the source's own field names (e.g. TaskId, Name). */
export type SourceTask = Readonly<Record<string, string>>;

export interface SourceShift {
  /**
   * The source's own id for this shift (QGenda ScheduleKey, a push client's shift id, an iCal UID plus
   * recurrence id). Without one the engine keys the shift by its slot (task, start, staff).
   */
  sourceId?: string;
  staff: SourceStaff;
  task: SourceTask;
  /** UTC instant, inclusive. */
  start: Date;
  /** UTC instant, exclusive; after start. */
  end: Date;
  notes?: string;
  /** False for a draft or unpublished row. @defaultValue true */
  published?: boolean;
  /** Where in the payload the row came from, for reports ("line 14", "ScheduleKey 88412"). */
  at?: string;
}

/**
 * What one pull returned.
 * - 'window': the source's complete schedule for [from, to): every stored shift of this source that
 *   overlaps the window and is not listed is removed.
 * - 'delta': only what changed since the last pull (QGenda sinceModifiedTimestamp, the push API's
 *   upserts and deletes): `shifts` are added or updated, `deleted` (source ids) removed.
 */
export type SourcePull = (
  | { mode: 'window'; from: Date; to: Date; shifts: SourceShift[]; staff?: SourceStaffRecord[] }
  | { mode: 'delta'; shifts: SourceShift[]; deleted: string[]; staff?: SourceStaffRecord[]; cursor?: string }
) & {
  /**
   * What the pull was read from, when reading it again is no news (a dropped file's name and time): the
   * mass-delete guard does not count a pull of the same origin as the next sync agreeing with a held one.
   */
  origin?: string;
};

/** A staff list entry (Amion Rpt=706, QGenda staff): feeds the crosswalk report and demographics. */
export interface SourceStaffRecord {
  staff: SourceStaff;
  name?: string;
  email?: string;
  pager?: string;
  phone?: string;
}

export interface PullRequest {
  /** The window the site wants (now - daysBack .. now + daysForward). */
  from: Date;
  to: Date;
  /** What the last successful delta pull returned as `cursor`, when the source keeps deltas. */
  cursor?: string;
  signal: AbortSignal;
  /** Progress for a long first sync: rows fetched so far. */
  progress?: (fetched: number) => void;
}

/**
 * A failure the engine reports on the source's status. `retryAfterMs` comes from a 429/503 Retry-After;
 * `permanent` means retrying the same request cannot help (bad credentials after a fresh login).
 */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly detail: { status?: number; retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A pull source's client. Throws SourceError (or any error) when the pull is not complete and well formed. */
export interface ScheduleSourceClient {
  /** e.g. 'amion', 'qgenda', 'shiftadmin', 'ical', 'csv-drop' */
  readonly kind: string;
  /** Smallest interval between pulls the system allows (Amion: 5 minutes). */
  readonly minIntervalMs?: number;
  pull(request: PullRequest): Promise<SourcePull>;
  /** After the pull has been applied (a CSV drop moves its file aside). */
  applied?(pull: SourcePull): Promise<void>;
}

/** What a client is built with besides its own options. */
export interface SourceContext {
  /** The site's IANA zone: local times in a source's payload are read in it unless the source says otherwise. */
  zone: string;
  /** The config folder, for relative paths (a CSV drop folder, an .ics file). */
  configDir: string;
  /** The source's id in config, for messages. */
  sourceId: string;
}

/**
 * One scheduling system's kind, registered with the sync engine (sources/kinds.ts). `readOptions` checks
 * the kind's own keys of the source's `options:` mapping (secrets already substituted from `${ENV}`), and
 * reports every problem through `report` with the key it is about; it returns undefined when any was
 * reported. `create` builds the client.
 */
export interface SourceKind<Options = unknown> {
  readonly kind: string;
  readOptions(
    options: Readonly<Record<string, unknown>>,
    report: (key: string, message: string) => void,
  ): Options | undefined;
  create(options: Options, context: SourceContext): ScheduleSourceClient;
}
