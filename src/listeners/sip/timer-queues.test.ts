import { describe, expect, it } from 'vitest';
import { TimerQueues } from './timer-queues.ts';

const waitFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TimerQueues', () => {
  it('runs each timer once, in the order of their deadlines, across durations', async () => {
    const timers = new TimerQueues();
    const ran: string[] = [];
    timers.set(30, () => ran.push('30a'));
    timers.set(5, () => ran.push('5a'));
    timers.set(30, () => ran.push('30b'));
    timers.set(0, () => ran.push('0'));
    timers.set(5, () => ran.push('5b'));
    expect(timers.pending).toBe(5);
    await waitFor(80);
    expect(ran).toEqual(['0', '5a', '5b', '30a', '30b']);
    expect(timers.pending).toBe(0);
  });

  it('never runs a cleared timer, and clearing twice or after it ran is harmless', async () => {
    const timers = new TimerQueues();
    const ran: string[] = [];
    const first = timers.set(10, () => ran.push('first'));
    timers.set(10, () => ran.push('second'));
    const third = timers.set(10, () => ran.push('third'));
    timers.clear(first);
    timers.clear(first);
    timers.clear(third);
    expect(timers.pending).toBe(1);
    await waitFor(40);
    expect(ran).toEqual(['second']);
    timers.clear(third);
    expect(timers.pending).toBe(0);
  });

  it('lets a timer set and clear timers of its own duration while it runs', async () => {
    const timers = new TimerQueues();
    const ran: string[] = [];
    let later: unknown;
    timers.set(5, () => {
      ran.push('one');
      timers.clear(later);
      timers.set(5, () => ran.push('re-armed'));
    });
    later = timers.set(5, () => ran.push('cleared by one'));
    await waitFor(50);
    expect(ran).toEqual(['one', 're-armed']);
    expect(timers.pending).toBe(0);
  });

  it('keeps the process alive for nothing once every timer is cleared', () => {
    const timers = new TimerQueues();
    const handles = Array.from({ length: 3 }, () => timers.set(60_000, () => {}));
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    for (const h of handles) timers.clear(h);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBe(before - 1);
  });
});
