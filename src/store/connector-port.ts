/**
 * What the connectors keep in the store: per connector a cursor in the schedule change feed, its jobs (as
 * outbox rows, store/outbox-port.ts), a little state of its own (a calendar event's id, a feed's SEQUENCE),
 * a delivery log, and the tokens of its published feeds.
 *
 * The one rule: reading changes after the cursor, writing the jobs they cause and moving the cursor commit
 * together (`advance`), so a consumer stopped at any moment resumes with no gap and no repeat.
 */
import type { NewDelivery } from './outbox-port.ts';

/**
 * A connector's job: an outbox row (channel `connector:<kind>`, target `<connector id>:<target key>`)
 * whose payload carries the state the target must reach, so that sending it twice changes nothing there.
 */
export interface ConnectorJob extends NewDelivery {
  /**
   * Jobs with the same key are one target object (one person's calendar event for one shift, one role's
   * roster): a newer job replaces any older one still pending, in the same transaction, so a backlog for a
   * target that was down shrinks to its latest state.
   */
  coalesceKey: string;
}

/** A value of a connector's own state; `null` removes the key. */
export interface ConnectorStateEntry {
  key: string;
  value: unknown;
}

export interface ConnectorAdvance {
  connectorId: string;
  /** The cursor the changes were read after; the write is refused if the cursor is no longer there. */
  from: number;
  /** The seq of the last change handled. */
  to: number;
  jobs: readonly ConnectorJob[];
  state?: readonly ConnectorStateEntry[];
}

/** sent / retry / dead: an attempt's outcome; skipped: a change that could not be mapped (no UPN...). */
export type ConnectorLogOutcome = 'sent' | 'retry' | 'dead' | 'skipped';

export interface ConnectorLogEntry {
  id: number;
  connectorId: string;
  /** The outbox row the attempt was for; null for a skip. */
  deliveryId: number | null;
  at: Date;
  outcome: ConnectorLogOutcome;
  /** Where it went, e.g. 'dr.ahmed@riverside.example' or 'role:cardiology-oncall'. */
  target: string;
  /** What was sent, in a line ('create event for shift s-12', 'roster of 3 roles'). No PHI beyond names. */
  summary: string;
  /** What the target answered, or the error. */
  answer: string | null;
}

export type NewConnectorLogEntry = Omit<ConnectorLogEntry, 'id'>;

/** An iCalendar feed's subject: one person's shifts, or one assignment's. */
export interface FeedSubject {
  connectorId: string;
  kind: 'person' | 'assignment';
  id: string;
}

export interface FeedToken extends FeedSubject {
  /** The SHA-256 of the token, hex: the token itself is only ever in the URL handed out. */
  tokenHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ConnectorStore {
  /** The seq of the last change this connector handled; undefined before its first run. */
  cursor(connectorId: string): Promise<number | undefined>;
  /**
   * Writes the jobs (coalescing them), the state and the new cursor in one transaction. Resolves false,
   * writing nothing, when the cursor is not `from` (another consumer got there first).
   */
  advance(advance: ConnectorAdvance, now: Date): Promise<boolean>;
  /** Jobs no single change causes (a cadence's whole window, a resync), coalesced like advance's. */
  enqueue(jobs: readonly ConnectorJob[], now: Date): Promise<number>;
  /** Sets the cursor without jobs (a connector's first run, after it sent its whole window). */
  resetCursor(connectorId: string, to: number): Promise<void>;

  state(connectorId: string, key: string): Promise<unknown>;
  /** Every key of a connector starting with `prefix`, sorted by key. */
  states(connectorId: string, prefix: string): Promise<ConnectorStateEntry[]>;
  putState(connectorId: string, entries: readonly ConnectorStateEntry[]): Promise<void>;

  record(entries: readonly NewConnectorLogEntry[]): Promise<void>;
  /** Newest first; `since` keeps entries at or after that instant. */
  log(
    connectorId: string,
    query: { limit: number; since?: Date; outcomes?: ConnectorLogOutcome[] },
  ): Promise<ConnectorLogEntry[]>;
  /** Dead jobs of a connector (all, or the ones listed) back to pending, due `now`; resolves with how many. */
  redrive(connectorId: string, deliveryIds: readonly number[] | 'all', now: Date): Promise<number>;

  /** Stores a new feed token (its hash) for a subject. */
  addFeedToken(token: Omit<FeedToken, 'revokedAt'>): Promise<void>;
  /** The token's subject while it is not revoked. */
  feedByToken(tokenHash: string): Promise<FeedToken | undefined>;
  revokeFeedToken(tokenHash: string, now: Date): Promise<boolean>;
  feedTokens(connectorId: string): Promise<FeedToken[]>;
}
