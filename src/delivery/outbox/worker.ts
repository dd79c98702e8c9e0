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
export class PermanentDeliveryError extends Error {}

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
}

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

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
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
        total += await this.pass(all);
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

  private async pass(all: boolean): Promise<number> {
    const found = await this.deps.outbox.due(this.deps.now(), this.deps.batch ?? 100);
    const due = all ? found : found.filter((d) => this.channels.get(d.channel)?.immediate);
    // Different destinations in parallel; one destination's items in order (a carrier sees pages in order).
    const byTarget = new Map<string, Delivery[]>();
    for (const d of due) {
      const list = byTarget.get(d.target) ?? [];
      list.push(d);
      byTarget.set(d.target, list);
    }
    await Promise.all(
      [...byTarget.values()].map(async (list) => {
        for (const d of list) await this.attempt(d);
      }),
    );
    return due.length;
  }

  private async attempt(d: Delivery): Promise<void> {
    const { outbox, log } = this.deps;
    const handler = this.channels.get(d.channel);
    const attempt = d.attempts + 1;
    let outcome: DeliveryOutcome;
    try {
      if (!handler) throw new PermanentDeliveryError(`no sender for channel ${d.channel}`);
      const result = await handler.send(d);
      await outbox.markSent(d.id, result, this.deps.now());
      outcome = { kind: 'sent', result };
    } catch (err) {
      const error = (err as Error).message || String(err);
      const now = this.deps.now();
      const backoff = handler?.backoff ? { ...this.backoff, ...handler.backoff } : this.backoff;
      if (err instanceof PermanentDeliveryError || attempt >= backoff.maxAttempts) {
        await outbox.markDead(d.id, error, now);
        outcome = { kind: 'dead', error, attempt };
        log.warn(
          { delivery: d.id, channel: d.channel, target: d.target, attempt, error },
          'delivery dead-lettered',
        );
      } else {
        const nextAt = new Date(now.getTime() + backoffDelay(backoff, attempt));
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
