/**
 * How the router shares the process with ingest: the queue of stored messages waiting to be routed, the
 * order kept per patient, and the pace at which routing takes the event loop.
 */
import { ArrivalRate } from './arrival-rate.ts';
import { BacklogBound } from './backlog-bound.ts';
import { Fifo } from './fifo.ts';
import type { InboundEvent } from './inbound-port.ts';
import { orderingKey } from './ordering-key.ts';

/** How the router shares the process with ingest (see RoutingQueue). */
export interface RouterPacing {
  /** Messages routed at once. Their store writes share group commits; order is kept per patient. */
  maxInFlight: number;
  /** Messages started per turn of the event loop. */
  perTurn: number;
  /** Arrivals per second above which ingest goes first. */
  burstPerSecond: number;
  /** Messages started per turn of the event loop while ingest goes first (routing never stops). */
  burstPerTurn: number;
  /** Share of the time routing takes while ingest goes first (0–1). */
  burstShare: number;
  /** Queued messages beyond which the router keeps only ids and reads the bytes back when their turn comes. */
  maxQueuedBytesHeld: number;
  /** Backlog at which listeners that can hold a sender stop reading, until half of it is routed (0: never). */
  maxBacklog: number;
}

/** A message waiting for its turn; `raw` is dropped while a long backlog waits (read back from the store). */
export interface QueuedMessage {
  messageId: number;
  listener: string;
  raw: Buffer | undefined;
  /** The listener's reading of `raw` (InboundEvent.read), dropped with the bytes. */
  read?: unknown;
  key: string;
  /** Handed over again after a restart: its routing start is recorded on the disk before it runs. */
  recovered?: boolean;
  /**
   * Its routing was started after an earlier restart and never finished: it runs with nothing else in
   * flight, so that if it stops the process again, it alone is counted for it.
   */
  alone?: boolean;
}

/**
 * On a shared store (several instances): a patient's message waits its turn behind an earlier one about
 * the same patient that another instance has not routed yet.
 */
export interface PatientTurn {
  /** True while an earlier message about the same patient waits for another instance's routing. */
  waiting(messageId: number): Promise<boolean>;
  /** How long a message waits at most: past it, it is routed out of order, and `gaveUp` says so. */
  maxWaitMs: number;
  gaveUp(messageId: number, waitedMs: number): void;
}

/** First pause while a message waits its turn, doubled each time up to the last. */
const TURN_PAUSES_MS = { first: 20, last: 500 };

/**
 * Ingest goes first: a sender waits for its ACK, routing does not wait for anyone. While messages arrive
 * faster than `burstPerSecond` (an ADT storm, a backlog replayed after downtime), routing takes
 * `burstShare` of the time, `burstPerTurn` messages at a time, so the loop stays free to acknowledge;
 * the backlog drains at `perTurn` a turn once the burst ends. Routing never stops, and a long backlog holds ids, not bytes.
 * Past `maxBacklog` the listeners that can are told to hold their senders (BacklogBound), and routing
 * takes the loop until half of it is routed.
 */
export class RoutingQueue {
  private readonly waiting = new Fifo<QueuedMessage>();
  /** The last message in flight per ordering key (patient): each waits for the one before it. */
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  /** Messages waiting for another instance to route an earlier one (PatientTurn): not counted in flight. */
  private parked = 0;
  /** Set by clear(): a parked message is left in the store rather than routed. */
  private closing = false;
  /**
   * Patients whose message is parked (`head`), with their later messages set aside meanwhile: started
   * when the parked one has run, so that a patient's backlog waiting elsewhere takes no place in flight.
   */
  private readonly heldBack = new Map<string, { head: QueuedMessage; later: QueuedMessage[] }>();
  private turnScheduled = false;
  /** A message routed alone is in flight (see QueuedMessage.alone): nothing else starts meanwhile. */
  private aloneInFlight = false;
  /** While ingest goes first, routing starts nothing before this time (performance.now()). */
  private restUntil = 0;
  private idle: Array<() => void> = [];

  private readonly arrivals = new ArrivalRate();
  /** Tells the listeners when routing is behind (see BacklogBound). */
  readonly bound: BacklogBound;

  constructor(
    /** Config `routing.pacing`, whose schema holds the defaults. */
    private readonly pacing: RouterPacing,
    /** Routes one message and records its outcome in the store; it must not reject. */
    private readonly route: (queued: QueuedMessage) => Promise<void>,
    /** On a shared store, the order of each patient's messages across instances. */
    private readonly turn?: PatientTurn,
  ) {
    this.bound = new BacklogBound(pacing.maxBacklog);
  }

  add(event: InboundEvent, how: Pick<QueuedMessage, 'recovered' | 'alone'>): void {
    this.arrivals.note();
    const held = this.waiting.length < this.pacing.maxQueuedBytesHeld;
    this.waiting.push({
      messageId: event.messageId,
      listener: event.listener,
      raw: held ? event.raw : undefined,
      ...(held && event.read !== undefined ? { read: event.read } : {}),
      key: orderingKey(event),
      ...how,
    });
    this.bound.note(this.backlog);
    this.pump();
  }

  /** Messages accepted and not yet routed (waiting or in flight). */
  get backlog(): number {
    let heldBack = 0;
    for (const { later } of this.heldBack.values()) heldBack += later.length;
    return this.waiting.length + this.inFlight + this.parked + heldBack;
  }

  /**
   * Drops what waits (it stays `received` in the store), and what waits for another instance at its next
   * look, and resolves once what is in flight has finished.
   */
  clear(): Promise<void> {
    this.closing = true;
    this.waiting.clear();
    for (const { later } of this.heldBack.values()) later.length = 0;
    this.bound.note(this.backlog);
    return this.drained();
  }

  /** Resolves when every accepted message has been routed (for tests and graceful stop). */
  drained(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Routes several messages at once, but those about the same patient strictly in the order they were
   * stored: an ADT transfer is in the census before the result that follows it, and two results for one
   * patient dedup in order.
   */
  private pump(): void {
    if (this.turnScheduled || this.blocked()) return;
    this.turnScheduled = true;
    setImmediate(this.runTurn);
  }

  /**
   * One turn of the event loop's routing: starts a few messages, then lets the loop serve sockets again.
   * A routed message runs mostly without waiting (its store writes apply at once), so the number started
   * per turn bounds how long routing holds the loop: during a burst only `burstPerTurn`.
   */
  private readonly runTurn = () => {
    this.turnScheduled = false;
    // While listeners hold their senders for routing to catch up, routing has the loop.
    const burst = !this.bound.behind && this.arrivals.perSecond() > this.pacing.burstPerSecond;
    const rest = burst ? this.restUntil - performance.now() : 0;
    if (rest > 0) {
      // Routing had its share of this burst's time; ingest has the loop until then.
      this.turnScheduled = true;
      setTimeout(this.runTurn, Math.ceil(rest));
      return;
    }
    const perTurn = burst ? this.pacing.burstPerTurn : this.pacing.perTurn;
    for (let started = 0; started < perTurn; started++) {
      if (this.blocked()) break;
      const next = this.waiting.take()!;
      const behind = this.heldBack.get(next.key);
      if (behind) behind.later.push(next);
      else this.start(next);
    }
    this.pump();
  };

  /** True when the next message cannot start now (none waiting, too many in flight, or one runs alone). */
  private blocked(): boolean {
    const next = this.waiting.peek();
    if (next === undefined || this.inFlight >= this.pacing.maxInFlight || this.aloneInFlight) return true;
    return next.alone === true && this.inFlight > 0;
  }

  private start(queued: QueuedMessage): void {
    const key = queued.key;
    this.inFlight += 1;
    if (queued.alone) this.aloneInFlight = true;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(async () => {
      if (!(await this.myTurn(queued))) return;
      const startedAt = performance.now();
      await this.route(queued);
      // A message that took d ms (it rarely waits: its writes apply at once) rests routing
      // d × (1 / share − 1) ms while a burst lasts.
      const took = performance.now() - startedAt;
      this.restUntil = performance.now() + took * (1 / this.pacing.burstShare - 1);
    });
    this.chains.set(key, run);
    void run.then(() => {
      this.inFlight -= 1;
      if (queued.alone) this.aloneInFlight = false;
      if (this.chains.get(key) === run) this.chains.delete(key);
      const behind = this.heldBack.get(key);
      if (behind?.head === queued) {
        this.heldBack.delete(key);
        for (const later of behind.later) this.start(later);
      }
      this.bound.note(this.backlog);
      this.pump();
      if (this.backlog === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /**
   * Waits until no earlier message about the same patient waits for another instance; meanwhile the
   * message gives up its place in flight (others go on) but keeps its patient's later messages behind
   * it. False when the queue is cleared meanwhile: it stays `received` in the store.
   */
  private async myTurn(queued: QueuedMessage): Promise<boolean> {
    const turn = this.turn;
    // A message routed alone (its routing stopped a process before) holds everything else back while it
    // is in flight: it goes at once rather than parked with the whole queue behind it.
    if (!turn || queued.alone) return true;
    const since = performance.now();
    for (let pause = TURN_PAUSES_MS.first; ; pause = Math.min(pause * 2, TURN_PAUSES_MS.last)) {
      // A failed look routes the message: order matters less than the alert reaching someone.
      if (!(await turn.waiting(queued.messageId).catch(() => false))) return true;
      const waited = performance.now() - since;
      if (waited >= turn.maxWaitMs) {
        turn.gaveUp(queued.messageId, waited);
        return true;
      }
      if (!this.heldBack.has(queued.key)) this.heldBack.set(queued.key, { head: queued, later: [] });
      this.inFlight -= 1;
      this.parked += 1;
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, pause));
      this.parked -= 1;
      this.inFlight += 1;
      if (this.closing) return false;
    }
  }
}
