/**
 * Node's timers in the shape the SIP machines take (`Timers`), kept in one queue per duration.
 *
 * A call arms a dozen timers and leaves four of them running for 64*T1 after it ends (Timers J, L, M and
 * K), so at thousands of calls a second more than a hundred thousand wait at once. A Node `Timeout` each,
 * with its closure and out-of-object fields, was about 500 bytes the collector walked per timer. The SIP
 * machines use few distinct durations, and timers of one duration expire in the order they were set, so
 * each duration gets a FIFO of small entries and a single Node timer for the entry at its head.
 */
import type { TimerHandle, Timers } from '../../protocols/sip/timers.ts';

interface Entry {
  /** Milliseconds (performance.now(), rounded up) when it is due. */
  at: number;
  /** Undefined once it has fired or been cleared. */
  fn: (() => void) | undefined;
  queue: DurationQueue;
}

/** Entries cleared or fired are dropped from the front; the array is compacted once this many have gone. */
const COMPACT_AFTER = 1024;

class DurationQueue {
  private entries: Entry[] = [];
  private head = 0;
  private live = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ms: number,
    private readonly emptied: (queue: DurationQueue) => void,
  ) {}

  /** Entries waiting to run. */
  get size(): number {
    return this.live;
  }

  add(fn: () => void): Entry {
    const entry: Entry = { at: Math.ceil(performance.now()) + this.ms, fn, queue: this };
    this.entries.push(entry);
    if (this.timer === undefined) this.schedule();
    else if (this.live === 0) this.timer.ref();
    this.live++;
    return entry;
  }

  // A retransmission timer is set and cleared within milliseconds at every call: the Node timer stays,
  // unreferenced while nothing waits, rather than being dropped and made again each time.
  clear(entry: Entry): void {
    if (entry.fn === undefined) return;
    entry.fn = undefined;
    if (--this.live === 0) this.timer?.unref();
  }

  private schedule(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.fn === undefined) this.head++;
    const next = this.entries[this.head];
    if (!next) {
      this.stop();
      return;
    }
    this.timer = setTimeout(() => this.run(), Math.max(0, next.at - performance.now()));
  }

  private run(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head]!;
      if (entry.fn !== undefined && entry.at > now) break;
      this.head++;
      const fn = entry.fn;
      if (fn === undefined) continue;
      entry.fn = undefined;
      this.live--;
      try {
        fn();
      } catch (error) {
        // As a throwing Node timer callback would, but after the queue is consistent again.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (this.head >= COMPACT_AFTER) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.live === 0) this.stop();
    else if (this.timer === undefined) this.schedule();
  }

  // Nothing left to run: the queue can go.
  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.entries = [];
    this.head = 0;
    this.emptied(this);
  }
}

export class TimerQueues implements Timers {
  private readonly queues = new Map<number, DurationQueue>();

  set(ms: number, fn: () => void): TimerHandle {
    const duration = Math.max(0, Math.ceil(ms));
    let queue = this.queues.get(duration);
    if (!queue) {
      queue = new DurationQueue(duration, (emptied) => {
        if (this.queues.get(duration) === emptied) this.queues.delete(duration);
      });
      this.queues.set(duration, queue);
    }
    return queue.add(fn);
  }

  clear(handle: TimerHandle): void {
    const entry = handle as Entry | undefined;
    entry?.queue.clear(entry);
  }

  /** Timers waiting, for tests. */
  get pending(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.size;
    return n;
  }
}
