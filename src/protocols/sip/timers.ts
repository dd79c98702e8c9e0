/**
 * Time as the SIP machines see it: injected, so that tests drive them with a fake clock
 * (test/support/fake-timers.ts) and the codec does no I/O of its own. The SIP listener passes Node's
 * own timers.
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
