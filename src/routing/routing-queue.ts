/**
 * How the router shares the process with ingest: the queue of stored messages waiting to be routed, the
 * order kept per patient, and the pace at which routing takes the event loop.
 */
import { ArrivalRate } from './arrival-rate.ts';
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
 * Ingest goes first: a sender waits for its ACK, routing does not wait for anyone. While messages arrive
 * faster than `burstPerSecond` (an ADT storm, a backlog replayed after downtime), routing takes
 * `burstShare` of the time, `burstPerTurn` messages at a time, so the loop stays free to acknowledge;
 * the backlog drains at `perTurn` a turn once the burst ends. Routing never stops, and a long backlog holds ids, not bytes.
 */
export class RoutingQueue {
  private readonly waiting = new Fifo<QueuedMessage>();
  /** The last message in flight per ordering key (patient): each waits for the one before it. */
  private readonly chains = new Map<string, Promise<void>>();
  private inFlight = 0;
  private turnScheduled = false;
  /** A message routed alone is in flight (see QueuedMessage.alone): nothing else starts meanwhile. */
  private aloneInFlight = false;
  /** While ingest goes first, routing starts nothing before this time (performance.now()). */
  private restUntil = 0;
  private idle: Array<() => void> = [];

  private readonly arrivals = new ArrivalRate();

  constructor(
    /** Config `routing.pacing`, whose schema holds the defaults. */
    private readonly pacing: RouterPacing,
    /** Routes one message and records its outcome in the store; it must not reject. */
    private readonly route: (queued: QueuedMessage) => Promise<void>,
  ) {}

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
    this.pump();
  }

  /** Messages accepted and not yet routed (waiting or in flight). */
  get backlog(): number {
    return this.waiting.length + this.inFlight;
  }

  /** Drops what waits (it stays `received` in the store) and resolves once what is in flight has finished. */
  clear(): Promise<void> {
    this.waiting.clear();
    return this.drained();
  }

  /** Resolves when every accepted message has been routed (for tests and graceful stop). */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
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
    const burst = this.arrivals.perSecond() > this.pacing.burstPerSecond;
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
      this.start(this.waiting.take()!);
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
      this.pump();
      if (this.inFlight === 0 && this.waiting.length === 0)
        for (const resolve of this.idle.splice(0)) resolve();
    });
  }
}
