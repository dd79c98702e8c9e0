/**
 * Time as the SIP machines see it: injected, so that tests drive them with a fake clock and the
 * codec does no I/O of its own.
 */

export type TimerHandle = unknown;

/** One-shot timers. Production passes `{ set: (ms, fn) => setTimeout(fn, ms), clear: clearTimeout }`. */
export interface Timers {
  set(ms: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** Milliseconds since the epoch (or any fixed origin). */
export type Clock = () => number;

/** RFC 3261 section 17.1.1.1 / table 4 timer values. */
export interface TimerValues {
  /** RTT estimate. @defaultValue 500 */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses. @defaultValue 4000 */
  t2: number;
  /** Maximum duration a message stays in the network. @defaultValue 5000 */
  t4: number;
}

export const DEFAULT_TIMER_VALUES: Readonly<TimerValues> = Object.freeze({ t1: 500, t2: 4000, t4: 5000 });

/**
 * A fake clock for tests: timers fire only when `advance` moves time past them, in time order.
 * Kept in the codec folder because every machine's tests use it.
 */
export class FakeTimers implements Timers {
  now = 0;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();

  set(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }

  clear(handle: TimerHandle): void {
    this.pending.delete(handle as number);
  }

  /** How many timers are armed. */
  get armed(): number {
    return this.pending.size;
  }

  readonly clock: Clock = () => this.now;

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = end;
  }
}
