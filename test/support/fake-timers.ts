/**
 * A fake clock for the SIP machines' tests: timers fire only when `advance` moves time past them, in
 * time order, so a test can walk a transaction through Timer A, B, E or F without waiting for them.
 */
import type { Clock, TimerHandle, Timers } from '../../src/protocols/sip/timers.ts';

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
