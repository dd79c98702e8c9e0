/**
 * What a connector is. A connector keeps one downstream system (a calendar, a CC&C platform, a file drop,
 * a partner's API) in step with our schedule store. It has two halves, kept apart so a crash between them
 * loses nothing:
 *
 * - planning: from schedule changes (or the whole window) it decides what the target must look like and
 *   writes that as jobs (outbox rows) in the store, in the transaction that moves its feed cursor
 *   (connectors/feed-consumer.ts). Planning opens no sockets.
 * - sending: the outbox worker hands each due job to the kind's sender, which brings the target to the
 *   state the job carries and answers what the target said. A sender throws a TargetError (errors.ts)
 *   to say whether trying again can help and when.
 *
 * A kind (webhook, graph, ical, tigerconnect, hl7-staff, wctp, paging-handoff, and the file exports) is a
 * ConnectorKind, registered with the framework by name (kinds.ts). `config/connectors.yaml` names the kind
 * of each connector and its settings; the kind reads its own `options`.
 */
import type { Directory } from '../directory/directory.ts';
import type { ExternalIdKind } from '../directory/types.ts';
import type { SectionChecks } from '../kit/section-checks.ts';
import type { ConnectorJob, ConnectorStateEntry, ConnectorStore } from '../store/connector-port.ts';
import type { Delivery } from '../store/outbox-port.ts';
import type { Assignment, ScheduleChange, Shift } from '../store/schedule-port.ts';

/** When a connector sends. */
export type Cadence =
  /** Each change as the feed brings it (webhook, calendars, HL7 staff assignment). */
  | { kind: 'onChange' }
  /** The whole window every N minutes, overwriting the target (TigerConnect-style roster push). */
  | { kind: 'every'; minutes: number }
  /** The whole window once a day at a local time (file exports). */
  | { kind: 'daily'; at: string }
  /** The whole window at a local time on the first day of each pay period of `days`, counted from `anchor`. */
  | { kind: 'payPeriod'; days: number; anchor: string; at: string };

/** What goes with each shift, where the target has room for it. */
export interface IncludeSettings {
  /** The shift's notes. @defaultValue false (notes may name patients) */
  notes: boolean;
  /** The assignment's name, department and call order. @defaultValue true */
  assignmentInfo: boolean;
  /** Shifts filled by a placeholder ("Cardiology fellow on call"). @defaultValue false */
  placeholders: boolean;
}

/** How far around today a connector keeps its target in step. */
export interface Window {
  /** @defaultValue 1 */
  daysBack: number;
  /** @defaultValue 30 */
  daysForward: number;
}

/** Retries of a connector's jobs (the outbox worker's backoff, with jitter). */
export interface RetrySettings {
  /** @defaultValue 5000 */
  firstDelayMs: number;
  /** @defaultValue 3 */
  factor: number;
  /** @defaultValue 600000 */
  maxDelayMs: number;
  /** Attempts before a job is dead. @defaultValue 12 (over an hour of a target being down) */
  maxAttempts: number;
}

/** One entry of `connectors:` in config/connectors.yaml, checked and defaulted. */
export interface ConnectorSettings<Options = unknown> {
  /** Ours, stable: it names the cursor, the jobs and the log. */
  id: string;
  kind: string;
  enabled: boolean;
  /** Where the target is (a URL, host:port); what it means is the kind's. */
  target: string;
  /** Secrets, already read from the environment (`${NAME}` in the file). */
  credentials: Readonly<Record<string, string>>;
  /**
   * Our assignment ids and what each is called at the target (roles, teams, groups: one-to-many). Empty:
   * every assignment, under no target name.
   */
  assignments: ReadonlyMap<string, readonly string[]>;
  /** Which crosswalk id names a person at the target ('upn' for Graph, 'ccc' for a CC&C). */
  personId: ExternalIdKind | 'id';
  window: Window;
  cadence: Cadence;
  include: IncludeSettings;
  retry: RetrySettings;
  /** At most one failure digest e-mail per this many minutes. @defaultValue 60 */
  digestMinutes: number;
  /** The kind's own settings, as its readOptions returned them. */
  options: Options;
}

/** What a connector reads while planning: the model as it is now. */
export interface PlanningContext {
  directory: () => Directory;
  assignment: (id: string) => Assignment | undefined;
  /** The site's IANA zone. */
  zone: string;
  now: () => Date;
}

/** Something a connector could not send, said in the hospital's words (it goes into the digest). */
export interface Skip {
  /** e.g. 'p-ahmed', 'hospitalist' */
  subject: string;
  /** e.g. 'has no upn in the directory', 'assignment cardiology is not mapped to a role' */
  reason: string;
}

/** What planning decided: jobs to write, state to keep, and what it had to skip. */
export interface ConnectorPlan {
  jobs: ConnectorJob[];
  state?: ConnectorStateEntry[];
  skipped?: Skip[];
}

export const emptyPlan = (): ConnectorPlan => ({ jobs: [], state: [], skipped: [] });

/** One connector, built by its kind from its settings. */
export interface Connector {
  readonly settings: ConnectorSettings;
  /**
   * Jobs for changes from the feed (cadence onChange), in feed order. May read the connector's state
   * (a SEQUENCE to bump) but writes only through the plan.
   */
  planChanges(changes: readonly ScheduleChange[], ctx: PlanningContext): Promise<ConnectorPlan>;
  /**
   * Jobs that bring the target to the whole window: the first run, a resync, and each tick of a cadence
   * other than onChange. `shifts` are every shift overlapping the window.
   */
  planWindow(
    shifts: readonly Shift[],
    window: { from: Date; to: Date },
    ctx: PlanningContext,
  ): Promise<ConnectorPlan>;
}

/**
 * What the kind's sender answers for one job of a many-at-once request (Graph's $batch): its result, or
 * the error the worker should treat as if `send` had thrown it.
 */
export type JobOutcome = { ok: true; result: string } | { ok: false; error: Error };

/** Sends a kind's jobs; registered with the outbox worker for channel `connector:<kind>`. */
export interface ConnectorSender {
  /** Brings the target to the job's state; resolves with what the target answered. */
  send(job: Delivery): Promise<string>;
  /**
   * Several jobs in one request. The worker gives at most `max` at once, at most `perTarget` of one
   * target (a mailbox: Graph allows 4 concurrent requests per mailbox), and one such request at a time.
   */
  sendMany?: { max: number; perTarget: number; send(jobs: readonly Delivery[]): Promise<JobOutcome[]> };
  /** A one-line description of a job for the delivery log (no PHI beyond names). */
  describe(job: Delivery): { target: string; summary: string };
  /**
   * Gets ready for the first job while the server starts (a file export starts the thread that makes its
   * files); resolves once ready. A failure here is the first job's to report.
   */
  start?(): Promise<void>;
  close?(): Promise<void> | void;
}

/** What a kind is given to build its connectors and its sender. */
export interface KindContext {
  store: ConnectorStore;
  planning: PlanningContext;
  /** Connectors of this kind, enabled ones only. */
  connectors: readonly ConnectorSettings[];
  fetch: typeof fetch;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /**
   * Sends one HL7 message over MLLP and resolves with the raw ACK (wiring gives the delivery layer's MLLP
   * client: connectors open no sockets of their own for it). Absent where no kind needs it.
   */
  mllp?: (target: { host: string; port: number; ackTimeoutMs: number }, message: string) => Promise<string>;
  /**
   * Tells a person by their pager and e-mail contacts through the paging carriers (wiring gives it);
   * `key` stays the same across retries of one notice (the carrier's message id). Resolves with the
   * answers, or undefined when the person has no pager or e-mail contact to tell.
   */
  page?: (personId: string, text: string, key: string) => Promise<string | undefined>;
  /**
   * Puts a notice from Switchboard into a person's clinician app (a conversation of its own, stored
   * durably, pushed to their connected devices; wiring gives it from the messaging service). `key` names
   * the notice in the audit. Resolves with what was stored.
   */
  notifyApp?: (personId: string, subject: string, text: string, key: string) => Promise<string>;
  /** Who is on an assignment at an instant (the schedule store), for kinds that look around a shift. */
  schedules?: { shiftsAt(assignmentId: string, at: Date): Promise<Shift[]> };
}

export interface ConnectorKind<Options = unknown> {
  /** The `kind:` value in connectors.yaml. */
  readonly kind: string;
  /** Keys allowed under `options:`. */
  readonly optionKeys: readonly string[];
  /** Credential names it needs (each a `${ENV}` in the file). */
  readonly requiredCredentials?: readonly string[];
  /** Cadences that make sense for it (the loader refuses others). */
  readonly cadences: ReadonlyArray<Cadence['kind']>;
  /** Reads `options:` (undefined when absent), reporting problems at their file, line and key. */
  readOptions(
    raw: Record<string, unknown> | undefined,
    checks: SectionChecks,
    path: Array<string | number>,
  ): Options;
  /** Builds one connector. */
  create(settings: ConnectorSettings<Options>, ctx: KindContext): Connector;
  /** The sender of every connector of this kind (undefined for a kind that only serves, like ical). */
  sender(ctx: KindContext): ConnectorSender | undefined;
}

/** The outbox channel of a kind's jobs. */
export const channelOf = (kind: string): string => `connector:${kind}`;
/** An outbox target of a connector: its id, then the target's own key (a mailbox, a role). */
export const targetOf = (connectorId: string, key: string): string => `${connectorId}:${key}`;
/** The connector id of an outbox target written by targetOf. */
export const connectorOfTarget = (target: string): string => target.slice(0, target.indexOf(':'));
