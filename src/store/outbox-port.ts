/**
 * The outbox: every notice that must leave Switchboard (a page to a carrier, a PCD-05 report to an alarm
 * reporter, a WCTP status or reply to its sender, later a connector's job) is a row here before the first
 * attempt. A notice caused by a state change (an alert raised, escalated, answered) is written by the
 * store in the same transaction as that change (see AlertStore), so a crash can never keep one without
 * the other. Delivery's worker sends what is due, retries with backoff and finally marks the row dead
 * with the error: the visible dead-letter state.
 *
 * Sending is at least once: a notice sent whose 'sent' mark did not reach the disk is sent again after a
 * restart. Each channel gives its receiver an idempotency key that stays the same across attempts (the
 * WCTP messageID, the HL7 MSH-10, the carrier message id), so a receiver can drop the repeat.
 */

export type OutboxState = 'pending' | 'sent' | 'dead';

export interface NewDelivery {
  /** Which sender handles it: 'page', 'pcd-status', 'wctp-status'. */
  channel: string;
  /**
   * Where it goes (e.g. 'metro:617-555-0101'): listed, and the worker sends one destination's notices
   * in the order they were written.
   */
  target: string;
  /** Everything the sender needs, as JSON. Never logged: it may hold PHI. */
  payload: unknown;
  /** The alert it is about, for the timeline. */
  alertId: number | null;
  /** When it is first tried. @defaultValue the time it is written */
  dueAt?: Date;
  /**
   * Written at most once: a second notice with the same key is dropped by the store (a WCTP sender is
   * told DELIVERED once per alert, however many recipients, and across restarts).
   */
  onceKey?: string;
  /**
   * One target object (a calendar event, a role's roster): writing a notice with a key removes any notice
   * with the same key that is still pending, in the same transaction, so a backlog keeps only the latest
   * state (connector jobs carry the whole state they must reach, so nothing between is needed).
   */
  coalesceKey?: string;
}

export interface Delivery extends Omit<NewDelivery, 'dueAt' | 'onceKey' | 'coalesceKey'> {
  id: number;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  /** What the receiver answered on success (carrier's message id, ACK code). */
  result: string | null;
  dueAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface OutboxQuery {
  state?: OutboxState;
  channel?: string;
  alertId?: number;
  limit?: number;
}

/** What a read of the due rows leaves out (see OutboxStore.due). */
export interface DueSkip {
  /** Deliveries the worker has in flight: still pending in the store, already being sent. */
  deliveries: ReadonlySet<number>;
  /** Targets with as much in flight as the worker lets one target have. */
  targets: ReadonlySet<string>;
}

export interface OutboxStore {
  /**
   * Adds notices no state change of ours causes (a refusal to a WCTP sender, a connector's job); resolves
   * once they are committed. Notices a change causes are written with that change instead.
   */
  add(deliveries: readonly NewDelivery[], now: Date): Promise<Delivery[]>;
  get(id: number): Promise<Delivery | undefined>;
  /**
   * Committed pending deliveries whose time has come, oldest first; with `perTarget`, at most that many of
   * one target (the oldest of each), so one target's backlog does not fill a whole pass. An adapter may
   * ignore `perTarget` (it only spreads the work). `skip` leaves out what the worker cannot take now, before
   * the limit and the share are counted, so rows already in flight or a full target's backlog never crowd
   * out another target's first rows.
   */
  due(now: Date, limit: number, perTarget?: number, skip?: DueSkip): Promise<Delivery[]>;
  /** The earliest dueAt of any pending delivery (to schedule the next wake-up). */
  nextDue(): Promise<Date | undefined>;
  markSent(id: number, result: string, now: Date): Promise<void>;
  /** Records a failed attempt; the delivery stays pending until `dueAt`. */
  markRetry(id: number, error: string, dueAt: Date, now: Date): Promise<void>;
  markDead(id: number, error: string, now: Date): Promise<void>;
  /** Newest first. */
  list(query: OutboxQuery): Promise<Delivery[]>;
  /** `listener` hears, after each commit that wrote new notices, which channels they are for. */
  onCommitted(listener: (channels: ReadonlySet<string>) => void): void;
}

/**
 * Notices held until their receiver collects them (a WCTP poller's wctp-PollForMessages, a transient
 * client's wctp-ClientQuery): a box per receiver, each notice with a sequence number.
 */
export interface HeldNotice {
  sequenceNo: number;
  payload: unknown;
}

export interface PickupStore {
  /**
   * Holds a notice in `box`; `deliveryId` is the outbox row it came from, so holding the same one twice
   * (a crash between holding and marking it sent) keeps one copy.
   */
  hold(box: string, payload: unknown, deliveryId: number, now: Date, maxPerBox: number): Promise<void>;
  /** Forgets what the receiver confirmed, then returns up to `max` still held, oldest first. */
  collect(box: string, confirmed: readonly number[], max: number): Promise<HeldNotice[]>;
  /** Returns and forgets everything held in `box` (a transient client gets each notice once). */
  takeAll(box: string): Promise<HeldNotice[]>;
}
