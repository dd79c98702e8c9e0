/**
 * Sends what is due in the store's outbox (store/outbox-port.ts), one sender per channel. A failed attempt
 * is retried with exponential backoff; after the last attempt (or at once for a PermanentDeliveryError, e.g.
 * a carrier saying the pager does not exist) the delivery is dead: kept with its error, listed, and
 * reported to `onOutcome` so that the alert's timeline shows it. Nothing is lost across a restart: the rows
 * are the state, written with the change that caused them.
 *
 * Due rows go to lanes (one per target, or one per sendMany channel) that run side by side, each asking
 * for more before it runs dry: a slow target, or a connector's $batch, never holds up another lane's
 * sends, and no lane waits on a read of the outbox between two of its sends.
 */
import type { Logger } from 'pino';
import type { Delivery, NewDelivery, OutboxStore } from '../../store/outbox-port.ts';

/** Thrown by a sender when trying again cannot help (bad credentials, unknown recipient). */
export class PermanentDeliveryError extends Error {
  readonly permanent = true;
}

/**
 * What the worker reads of a sender's error, so that senders in layers that do not import delivery (the
 * connectors' TargetError) can say it too: `permanent` dead-letters at once, `retryAfterMs` is the
 * receiver's Retry-After, honoured instead of the backoff when it is longer.
 */
function failureOf(err: unknown): { permanent: boolean; retryAfterMs?: number } {
  const e = err as { permanent?: unknown; retryAfterMs?: unknown };
  return {
    permanent: e?.permanent === true,
    retryAfterMs: typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
  };
}

export interface Backoff {
  /** Delay before the second attempt. @defaultValue 5000 */
  firstDelayMs: number;
  /** Each further delay is this many times the previous one. @defaultValue 3 */
  factor: number;
  /** @defaultValue 600000 (10 minutes) */
  maxDelayMs: number;
  /** Attempts in all, the first one included. @defaultValue 6 */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Backoff = Object.freeze({
  firstDelayMs: 5000,
  factor: 3,
  maxDelayMs: 600_000,
  maxAttempts: 6,
});

/** Delivers one item; resolves with what the receiver answered (kept as the delivery's result). */
export type Sender = (delivery: Delivery) => Promise<string>;

/** A channel's sender, and what it wants told after each attempt (timeline entries). */
export interface ChannelHandler {
  send: Sender;
  onOutcome?: (delivery: Delivery, outcome: DeliveryOutcome) => Promise<void> | void;
  /** The channel's own figures for the one backoff (WCTP push settings); the worker's otherwise. */
  backoff?: Partial<Backoff>;
  /**
   * Sent as soon as its row commits even while the worker does not poll (behaviour tests drive pages by
   * hand, but a WCTP sender is waiting on its status). @defaultValue false
   */
  immediate?: boolean;
  /**
   * Spreads retries: each delay is cut by up to this fraction at random, so a target that comes back is
   * not hit by its whole backlog in one instant. @defaultValue 0
   */
  jitter?: number;
  /**
   * Sends several due deliveries in one request (Graph's $batch): at most `max` at once, at most
   * `perTarget` of one target, one request at a time per channel; each item has its own outcome.
   */
  sendMany?: {
    max: number;
    perTarget: number;
    send: (deliveries: readonly Delivery[]) => Promise<ItemOutcome[]>;
  };
}

/** One item's outcome in a sendMany request: as if `send` had resolved with result or thrown error. */
export type ItemOutcome = { ok: true; result: string } | { ok: false; error: Error };

export type DeliveryOutcome =
  | { kind: 'sent'; result: string }
  | { kind: 'retry'; error: string; nextAt: Date; attempt: number }
  | { kind: 'dead'; error: string; attempt: number };

export interface DeliveryWorkerDeps {
  outbox: OutboxStore;
  /** Senders known at construction; more may be added with `register`. */
  senders?: Record<string, Sender>;
  now: () => Date;
  log: Logger;
  backoff?: Partial<Backoff>;
  /** Told after every attempt (timeline entries, metrics). Errors here are logged, never retried. */
  onOutcome?: (delivery: Delivery, outcome: DeliveryOutcome) => Promise<void> | void;
  /** How many due deliveries one pass takes. @defaultValue 100 */
  batch?: number;
  /**
   * At most this many deliveries of one target per pass, so one target's backlog (a connector catching up
   * on thousands of changes) does not hold up every other target; passes repeat while one was capped.
   * @defaultValue no limit
   */
  perTarget?: number;
}

export function backoffDelay(b: Backoff, failedAttempts: number): number {
  return Math.min(b.firstDelayMs * b.factor ** Math.max(0, failedAttempts - 1), b.maxDelayMs);
}

/**
 * What one lane sends: one target's deliveries one at a time and in order (a carrier sees pages in order),
 * or a sendMany channel's deliveries in requests one after the other.
 */
/** How many reads' worth of deliveries may be in flight at once, over every lane. */
const IN_FLIGHT_BATCHES = 5;

interface Lane {
  readonly key: string;
  readonly many: boolean;
  readonly queue: Delivery[];
  running: boolean;
  /** It asked for more and no read has handed it any since: asking again would only repeat the read. */
  asked: boolean;
}

export class DeliveryWorker {
  private readonly backoff: Backoff;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly channels = new Map<string, ChannelHandler>();
  private perTarget?: number;
  /** Deliveries handed to a lane and not yet recorded: still pending in the store, never fetched twice. */
  private readonly inFlight = new Set<number>();
  private readonly inFlightByTarget = new Map<string, number>();
  /** Deliveries recorded while a read of the due rows was under way, which that read may still list. */
  private recordedDuringRead?: Set<number>;
  private readonly lanes = new Map<string, Lane>();
  private reading?: Promise<void>;
  private readAgain = false;
  /** Whether the next read takes every channel, or only the immediate ones. */
  private readAll = false;
  /** While the reads take every channel (a polling worker, or a runDue until the work is done). */
  private scopeAll = false;
  private attempted = 0;
  private readonly whenIdle: Array<() => void> = [];

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.perTarget = deps.perTarget;
    for (const [channel, send] of Object.entries(deps.senders ?? {})) this.channels.set(channel, { send });
    deps.outbox.onCommitted((channels) => this.committed(channels));
  }

  /** New notices committed: a polling worker tries them at once; otherwise only immediate channels. */
  private committed(channels: ReadonlySet<string>): void {
    if (this.stopped) return;
    // No waiter is left behind: under steady work the lanes may not go idle for hours.
    if (this.timer) {
      this.read(true);
      return;
    }
    if ([...channels].some((c) => this.channels.get(c)?.immediate)) this.read(false);
  }

  /** Sets the per-target share of a pass (see DeliveryWorkerDeps.perTarget). */
  limitPerTarget(n: number): void {
    this.perTarget = n;
  }

  /** Adds the sender of a channel (paging, PCD-05 status); deliveries of unknown channels go dead. */
  register(channel: string, handler: ChannelHandler): void {
    this.channels.set(channel, handler);
  }

  /**
   * Stores a notice no state change causes (a refusal to a WCTP sender); it is tried once committed.
   * Notices a change causes are written by the store with that change instead.
   */
  async enqueue(d: NewDelivery): Promise<Delivery | undefined> {
    const [stored] = await this.deps.outbox.add([d], this.deps.now());
    return stored;
  }

  /**
   * Attempts every delivery due now, and what falls due or commits meanwhile; resolves with how many were
   * attempted once no lane has work left. A call while lanes run joins them.
   */
  runDue(onlyImmediate = false): Promise<number> {
    const from = this.attempted;
    const idle = new Promise<number>((resolve) => this.whenIdle.push(() => resolve(this.attempted - from)));
    this.read(!onlyImmediate);
    this.settle();
    return idle;
  }

  /** Polls the outbox every `pollMs` (in production; tests call runDue with their own clock). */
  start(pollMs = 1000): void {
    this.stopped = false;
    this.timer = setInterval(() => this.read(true), pollMs);
    this.timer.unref();
    this.read(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.reading || [...this.lanes.values()].some((l) => l.running))
      await new Promise<void>((resolve) => this.whenIdle.push(resolve as () => void));
  }

  /** Asks for a read of the due rows; one runs at a time, and a request meanwhile causes one more. */
  private read(all: boolean): void {
    if (this.stopped) return;
    this.readAll ||= all;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        const all = this.readAll || this.scopeAll;
        this.readAll = false;
        this.scopeAll = all;
        this.recordedDuringRead = new Set();
        try {
          // A full page handed out may have more behind it: read on rather than wait for a lane to drain.
          if (await this.readDue(all)) this.readAgain = true;
        } catch (err) {
          this.deps.log.error({ err }, 'reading the due deliveries failed');
        } finally {
          this.recordedDuringRead = undefined;
        }
      } while (this.readAgain && !this.stopped);
    })().finally(() => {
      this.reading = undefined;
      this.settle();
    });
  }

  /**
   * Reads the first due rows of targets with room, past those in flight, and hands each to its lane;
   * resolves with whether a whole page was handed out. A target holds at most twice its per-target share
   * in flight, so its lane asks for more (low water) before it runs dry.
   */
  private async readDue(all: boolean): Promise<boolean> {
    const batch = this.deps.batch ?? 100;
    const perTarget = this.perTarget;
    if (this.inFlight.size >= IN_FLIGHT_BATCHES * batch) return false;
    // A target with twice its share in flight is left out until one of its deliveries lands.
    const full = (target: string) =>
      perTarget !== undefined && (this.inFlightByTarget.get(target) ?? 0) >= 2 * perTarget;
    const fullTargets = new Set([...this.inFlightByTarget.keys()].filter(full));
    const found = await this.deps.outbox.due(this.deps.now(), batch, perTarget, {
      deliveries: this.inFlight,
      targets: fullTargets,
    });
    let handed = 0;
    for (const d of found) {
      if (this.stopped) break;
      if (this.inFlight.has(d.id) || this.recordedDuringRead?.has(d.id)) continue;
      const handler = this.channels.get(d.channel);
      if (!all && !handler?.immediate) continue;
      if (full(d.target)) continue;
      this.inFlight.add(d.id);
      this.inFlightByTarget.set(d.target, (this.inFlightByTarget.get(d.target) ?? 0) + 1);
      const many = handler?.sendMany !== undefined;
      const key = many ? `channel:${d.channel}` : `target:${d.target}`;
      let lane = this.lanes.get(key);
      if (!lane) {
        lane = { key, many, queue: [], running: false, asked: false };
        this.lanes.set(key, lane);
      }
      lane.queue.push(d);
      lane.asked = false;
      handed++;
      if (!lane.running) void this.runLane(lane);
    }
    return handed > 0 && found.length >= batch;
  }

  private async runLane(lane: Lane): Promise<void> {
    lane.running = true;
    const lowWater = Math.max(1, Math.floor((this.perTarget ?? this.deps.batch ?? 100) / 2));
    try {
      while (lane.queue.length > 0 && !this.stopped) {
        const taken = lane.many ? this.takeRequest(lane) : [lane.queue.shift() as Delivery];
        try {
          if (lane.many) await this.attemptMany(taken);
          else await this.attempt(taken[0]);
        } finally {
          this.attempted += taken.length;
          for (const d of taken) this.landed(d);
        }
        if (lane.queue.length < lowWater && !lane.asked) {
          lane.asked = true;
          this.read(false);
        }
      }
    } catch (err) {
      this.deps.log.error({ err, lane: lane.key }, 'delivery lane failed');
    } finally {
      lane.running = false;
      for (const d of lane.queue.splice(0)) this.landed(d);
      this.lanes.delete(lane.key);
      // Its target may have been left out of reads while full: look once more before going idle.
      this.read(false);
      this.settle();
    }
  }

  /** A delivery is recorded (or given back by a stopping worker): no longer in flight. */
  private landed(d: Delivery): void {
    this.inFlight.delete(d.id);
    this.recordedDuringRead?.add(d.id);
    const n = (this.inFlightByTarget.get(d.target) ?? 1) - 1;
    if (n > 0) this.inFlightByTarget.set(d.target, n);
    else this.inFlightByTarget.delete(d.target);
  }

  /** Once nothing reads and no lane runs, whoever waits for the work to be done hears so. */
  private settle(): void {
    if (this.reading || this.lanes.size > 0) return;
    this.scopeAll = false;
    for (const resolve of this.whenIdle.splice(0)) resolve();
  }

  /**
   * Takes the next request of a sendMany lane off its queue: at most `max` items, at most `perTarget` of
   * one target, the oldest first. A lane sends one request at a time, so no target ever has more than
   * `perTarget` in flight, and a later version of a shift never overtakes the one before.
   */
  private takeRequest(lane: Lane): Delivery[] {
    const many = this.channels.get(lane.queue[0].channel)?.sendMany;
    if (!many) return [lane.queue.shift() as Delivery];
    const request: Delivery[] = [];
    const rest: Delivery[] = [];
    const perTarget = new Map<string, number>();
    for (const d of lane.queue) {
      const n = perTarget.get(d.target) ?? 0;
      if (request.length < many.max && n < many.perTarget) {
        request.push(d);
        perTarget.set(d.target, n + 1);
      } else rest.push(d);
    }
    lane.queue.splice(0, lane.queue.length, ...rest);
    return request;
  }

  /** One sendMany request; each item has its own outcome. */
  private async attemptMany(request: Delivery[]): Promise<void> {
    const handler = this.channels.get(request[0].channel);
    const many = handler?.sendMany;
    if (!handler || !many) {
      for (const d of request) await this.attempt(d);
      return;
    }
    let outcomes: ItemOutcome[];
    try {
      outcomes = await many.send(request);
    } catch (err) {
      outcomes = request.map(() => ({ ok: false, error: err as Error }));
    }
    await Promise.all(
      request.map((d, i) =>
        this.record(d, handler, outcomes[i] ?? { ok: false, error: new Error('no answer for this item') }),
      ),
    );
  }

  private async attempt(d: Delivery): Promise<void> {
    const handler = this.channels.get(d.channel);
    let item: ItemOutcome;
    try {
      if (!handler) throw new PermanentDeliveryError(`no sender for channel ${d.channel}`);
      item = { ok: true, result: await handler.send(d) };
    } catch (err) {
      item = { ok: false, error: err as Error };
    }
    await this.record(d, handler, item);
  }

  /** Marks one attempt's outcome in the outbox and tells whoever listens. */
  private async record(d: Delivery, handler: ChannelHandler | undefined, item: ItemOutcome): Promise<void> {
    const { outbox, log } = this.deps;
    const attempt = d.attempts + 1;
    let outcome: DeliveryOutcome;
    try {
      if (!item.ok) throw item.error;
      await outbox.markSent(d.id, item.result, this.deps.now());
      outcome = { kind: 'sent', result: item.result };
    } catch (err) {
      const error = (err as Error).message || String(err);
      const now = this.deps.now();
      const backoff = handler?.backoff ? { ...this.backoff, ...handler.backoff } : this.backoff;
      const failure = failureOf(err);
      if (failure.permanent || attempt >= backoff.maxAttempts) {
        await outbox.markDead(d.id, error, now);
        outcome = { kind: 'dead', error, attempt };
        log.warn(
          { delivery: d.id, channel: d.channel, target: d.target, attempt, error },
          'delivery dead-lettered',
        );
      } else {
        const jitter = handler?.jitter ?? 0;
        const delay = backoffDelay(backoff, attempt) * (1 - jitter * Math.random());
        const nextAt = new Date(now.getTime() + Math.max(delay, failure.retryAfterMs ?? 0));
        await outbox.markRetry(d.id, error, nextAt, now);
        outcome = { kind: 'retry', error, nextAt, attempt };
        log.info({ delivery: d.id, channel: d.channel, attempt, error }, 'delivery failed; will retry');
      }
    }
    try {
      await handler?.onOutcome?.(d, outcome);
      await this.deps.onOutcome?.(d, outcome);
    } catch (err) {
      log.error({ err, delivery: d.id }, 'delivery outcome hook failed');
    }
  }
}
