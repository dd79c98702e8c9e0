/**
 * Alerts: what the routing core made of an event, who must act on it, and everything that happened since.
 * Escalation timers are rows here (GoAlert's way): an engine cycle advances whatever is due, so a restart —
 * even kill -9 — loses no pending escalation.
 *
 * The methods that change an alert take the notices the change causes (pages, PCD-05, WCTP status; see
 * outbox-port.ts) and write them in the same transaction: a crash keeps both or neither.
 */
import type { NewDelivery } from './outbox-port.ts';

/** Notices a change causes, written with it. */
export type Notices = readonly NewDelivery[];

export type AlertPriority = 'urgent' | 'high' | 'normal' | 'low';
export type AlertStatus = 'open' | 'acknowledged' | 'closed';
/** Per recipient, in the order a clinician's answer moves it. */
export type RecipientState =
  | 'queued'
  | 'delivered'
  | 'read'
  | 'accepted'
  | 'rejected'
  | 'acknowledged'
  | 'failed';

export interface NewAlert {
  messageId: number | null;
  source: string;
  ruleId: string;
  title: string;
  body: string;
  priority: AlertPriority;
  /** Patient context for the clinician (name, MRN, location); shown on the page, never logged. */
  patient: Record<string, string> | null;
  dedupKey: string | null;
  /** Free-form context for the source protocol: WCTP messageID, choices, callback number, PCD instance id. */
  context: Record<string, unknown>;
  createdAt: Date;
}

export interface Alert extends NewAlert {
  id: number;
  status: AlertStatus;
  updatedAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

export interface AlertRecipient {
  alertId: number;
  personId: string;
  state: RecipientState;
  /** The escalation step that notified this person (0-based), and why they were chosen. */
  step: number;
  reason: string;
  notifiedAt: Date;
  updatedAt: Date;
}

export interface TimelineEvent {
  alertId: number;
  at: Date;
  /** received, routed, notified, delivered, read, accepted, rejected, acknowledged, escalated, skipped, failsafe, updated, closed, failed */
  kind: string;
  personId: string | null;
  detail: string;
}

/** A person notified (their recipient row when new), a timeline entry, and the notices (pages) they cause. */
export interface NotifiedWrite {
  recipient?: Omit<AlertRecipient, 'updatedAt'>;
  event?: TimelineEvent;
  notices?: Notices;
}

/** A durable escalation timer: the next step of an alert's policy falls due at `dueAt`. */
export interface EscalationTimer {
  alertId: number;
  /** The policy as it was when the alert was raised (a rule edit never changes an alert in flight). */
  policy: unknown;
  /** Recipients the rule resolved (for steps that say "the rule's recipients"). */
  ruleRecipients: unknown;
  nextStep: number;
  /** How many times the steps have been run through (0 on the first pass). */
  pass: number;
  dueAt: Date;
}

/** Messages collected for a batching rule until its window closes. */
export interface Batch {
  key: string;
  ruleId: string;
  dueAt: Date;
  items: unknown[];
}

export interface AlertQuery {
  personId?: string;
  status?: AlertStatus;
  since?: Date;
  limit?: number;
}

export interface AlertStore {
  /**
   * Creates the alert and, in the same transaction, its first escalation timer: a crash right after can
   * never leave an alert that nobody will ever be told about.
   */
  create(
    alert: NewAlert,
    timer?: Omit<EscalationTimer, 'alertId'>,
    notices?: (created: Alert) => Notices,
  ): Promise<Alert>;
  /** Alerts raised from a stored message (to route a message again after a crash without doubling them). */
  forMessage(messageId: number): Promise<Alert[]>;
  get(id: number): Promise<Alert | undefined>;
  /** Whether any alert, open or closed, was ever raised with this dedup key (a once-only warning's mark). */
  hasDedupKey(key: string): Promise<boolean>;
  list(query: AlertQuery): Promise<Alert[]>;
  /** The newest open alert with this dedup key created at or after `since`. */
  findOpenByDedupKey(key: string, since: Date): Promise<Alert | undefined>;
  update(
    id: number,
    changes: Partial<
      Pick<Alert, 'status' | 'title' | 'body' | 'priority' | 'context' | 'acknowledgedBy' | 'acknowledgedAt'>
    >,
    at: Date,
    notices?: Notices,
  ): Promise<void>;
  recipients(alertId: number): Promise<AlertRecipient[]>;
  /** Adds a recipient, or leaves an existing one as it is. Returns false when the person was already there. */
  addRecipient(r: Omit<AlertRecipient, 'updatedAt'>): Promise<boolean>;
  /**
   * A person is notified (again): their recipient row when new, the timeline entry and the notices (pages)
   * in one transaction. Resolves with false when `recipient` was already there.
   */
  notified(n: NotifiedWrite): Promise<boolean>;
  /**
   * What one escalation step did, in one transaction: each entry's recipient row, timeline entry and pages
   * in order, and the alert's timer moved to `next` (or cleared without it). A crash keeps the step whole
   * or not at all: a step whose people were paged but whose timer was not moved would, run again, find
   * them all notified and go straight on to the next step.
   */
  stepRan(s: { alertId: number; writes: readonly NotifiedWrite[]; next?: EscalationTimer }): Promise<void>;
  setRecipientState(
    alertId: number,
    personId: string,
    state: RecipientState,
    at: Date,
    notices?: Notices,
  ): Promise<void>;
  /** Open alerts a person is a recipient of, with their own state, newest first. */
  forPerson(
    personId: string,
    opts: { includeClosed?: boolean; limit?: number },
  ): Promise<Array<Alert & { myState: RecipientState }>>;
  addEvent(e: TimelineEvent): Promise<void>;
  timeline(alertId: number): Promise<TimelineEvent[]>;
  /** Sets (or replaces) the alert's escalation timer. */
  setTimer(t: EscalationTimer): Promise<void>;
  clearTimer(alertId: number): Promise<void>;
  timer(alertId: number): Promise<EscalationTimer | undefined>;
  dueTimers(now: Date, limit: number): Promise<EscalationTimer[]>;
  /**
   * When the earliest escalation timer falls due (the routing cycle wakes then), if any is set; with
   * `after`, the earliest due later than that moment.
   */
  nextTimerDue(after?: Date): Promise<Date | undefined>;
  /** Appends to the batch for `key`, opening it with `dueAt` when none is open. */
  addToBatch(key: string, ruleId: string, dueAt: Date, item: unknown): Promise<Batch>;
  /** Removes and returns the batches whose window has closed. */
  takeDueBatches(now: Date): Promise<Batch[]>;
}
