import { describe, expect, it } from 'vitest';
import { eachAtMost } from './at-most.ts';

describe('eachAtMost', () => {
  it('starts the items in order, never more than the limit at once, and waits for all', async () => {
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const gates = new Map<number, () => void>();
    const done = eachAtMost([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.set(n, resolve));
      running -= 1;
    });
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    // The second finishing first lets the third start before the first is done.
    gates.get(2)?.();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    for (const n of [1, 3, 4, 5]) {
      gates.get(n)?.();
      await new Promise((r) => setImmediate(r));
    }
    await done;
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('resolves at once for no items', async () => {
    let calls = 0;
    await eachAtMost([], 4, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });
});
