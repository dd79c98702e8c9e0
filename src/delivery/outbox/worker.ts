/**
 * Sends what is due in the store's outbox (store/outbox-port.ts), one sender per channel. A failed attempt
 * is retried with exponential backoff; after the last attempt (or at once for a PermanentDeliveryError, e.g.
 * a carrier saying the pager does not exist) the delivery is dead: kept with its error, listed, and
 * reported to `onOutcome` so that the alert's timeline shows it. Nothing is lost across a restart: the rows
 * are the state, written with the change that caused them.
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

export class DeliveryWorker {
  private readonly backoff: Backoff;
  private running?: Promise<number>;
  private again = false;
  /** Whether the next pass takes every channel, or only the immediate ones. */
  private againAll = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly channels = new Map<string, ChannelHandler>();
  private perTarget?: number;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.perTarget = deps.perTarget;
    for (const [channel, send] of Object.entries(deps.senders ?? {})) this.channels.set(channel, { send });
    deps.outbox.onCommitted((channels) => this.committed(channels));
  }

  /** New notices committed: a polling worker tries them at once; otherwise only immediate channels. */
  private committed(channels: ReadonlySet<string>): void {
    if (this.stopped) return;
    if (this.timer) {
      void this.runDue();
      return;
    }
    if ([...channels].some((c) => this.channels.get(c)?.immediate)) void this.runDue(true);
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
   * Attempts every delivery due now; resolves with how many were attempted. Calls made while a pass runs
   * join it and cause one more pass, so nothing enqueued meanwhile waits for the next poll.
   */
  runDue(onlyImmediate = false): Promise<number> {
    if (this.running) {
      this.again = true;
      this.againAll ||= !onlyImmediate;
      return this.running;
    }
    this.againAll = !onlyImmediate;
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        const all = this.againAll;
        this.againAll = false;
        const { attempted, capped } = await this.pass(all);
        total += attempted;
        // A capped pass left due work of some target behind: take it now, not at the next poll.
        if (capped && attempted > 0) {
          this.again = true;
          this.againAll ||= all;
        }
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Polls the outbox every `pollMs` (in production; tests call runDue with their own clock). */
  start(pollMs = 1000): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.runDue(), pollMs);
    this.timer.unref();
    void this.runDue();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  private async pass(all: boolean): Promise<{ attempted: number; capped: boolean }> {
    const limit = this.deps.batch ?? 100;
    const found = await this.deps.outbox.due(this.deps.now(), limit, this.perTarget);
    const due = all ? found : found.filter((d) => this.channels.get(d.channel)?.immediate);
    // Different destinations in parallel; one destination's items in order (a carrier sees pages in order).
    const byTarget = new Map<string, Delivery[]>();
    const many = new Map<string, Delivery[]>();
    for (const d of due) {
      const into = this.channels.get(d.channel)?.sendMany ? many : byTarget;
      const key = into === many ? d.channel : d.target;
      const list = into.get(key) ?? [];
      list.push(d);
      into.set(key, list);
    }
    await Promise.all([
      ...[...byTarget.values()].map(async (list) => {
        for (const d of list) await this.attempt(d);
      }),
      ...[...many].map(([channel, list]) => this.attemptMany(channel, list)),
    ]);
    const perTarget = this.perTarget;
    const counts = new Map<string, number>();
    for (const d of found) counts.set(d.target, (counts.get(d.target) ?? 0) + 1);
    const capped =
      perTarget !== undefined && (found.length >= limit || [...counts.values()].some((n) => n >= perTarget));
    return { attempted: due.length, capped };
  }

  /**
   * A sendMany channel's due items, in requests of at most `max`, at most `perTarget` of one target each;
   * one request at a time, so no target ever has more than `perTarget` in flight.
   */
  private async attemptMany(channel: string, list: Delivery[]): Promise<void> {
    const handler = this.channels.get(channel);
    const many = handler?.sendMany;
    if (!handler || !many) return;
    let waiting = list;
    while (waiting.length > 0 && !this.stopped) {
      const request: Delivery[] = [];
      const later: Delivery[] = [];
      const perTarget = new Map<string, number>();
      for (const d of waiting) {
        const n = perTarget.get(d.target) ?? 0;
        if (request.length < many.max && n < many.perTarget) {
          request.push(d);
          perTarget.set(d.target, n + 1);
        } else later.push(d);
      }
      waiting = later;
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
