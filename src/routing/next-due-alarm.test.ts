import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NextDueAlarm } from './next-due-alarm.ts';

describe('NextDueAlarm', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-22T14:30:00Z') }));
  afterEach(() => vi.useRealTimers());

  const at = (ms: number) => new Date(Date.now() + ms);

  it('rings once when the earliest step falls due, and is re-armed for an earlier one', () => {
    const ring = vi.fn();
    const alarm = new NextDueAlarm(ring);
    alarm.start();
    alarm.armFor(at(20_000));
    alarm.armFor(at(60_000)); // later: the alarm stays on the earlier step
    alarm.armFor(at(5_000)); // earlier: re-armed
    vi.advanceTimersByTime(4_999);
    expect(ring).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(ring).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(ring).toHaveBeenCalledTimes(1); // one timer, not one per step: the cycle re-arms it
    expect(alarm.armed).toBeUndefined();
  });

  it('rings at once for a step already due, and never before start or after stop', () => {
    const ring = vi.fn();
    const alarm = new NextDueAlarm(ring);
    alarm.armFor(at(-1_000));
    vi.advanceTimersByTime(10);
    expect(ring).not.toHaveBeenCalled();
    alarm.start();
    alarm.armFor(at(-1_000));
    vi.advanceTimersByTime(0);
    expect(ring).toHaveBeenCalledTimes(1);
    alarm.armFor(at(1_000));
    alarm.stop();
    vi.advanceTimersByTime(5_000);
    expect(ring).toHaveBeenCalledTimes(1);
  });

  it('waits at most what setTimeout can hold for a step months away, then looks again', () => {
    const ring = vi.fn();
    const alarm = new NextDueAlarm(ring);
    alarm.start();
    alarm.armFor(at(60 * 86_400_000));
    vi.advanceTimersByTime(1_000);
    expect(ring).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2 ** 31);
    expect(ring).toHaveBeenCalledTimes(1);
  });
});
