/**
 * Routing's backlog bound: listeners are told routing is behind when the backlog reaches maxBacklog, and
 * that it caught up once half of it is routed; RoutingQueue reports its backlog as it grows and shrinks.
 */
import { describe, expect, it } from 'vitest';
import { BacklogBound } from './backlog-bound.ts';
import { type RouterPacing, RoutingQueue } from './routing-queue.ts';

describe('BacklogBound', () => {
  it('says behind at pauseAt and caught up at half, once each way', () => {
    const bound = new BacklogBound(10);
    const heard: Array<[boolean, number]> = [];
    bound.onChange((behind, backlog) => heard.push([behind, backlog]));
    for (const backlog of [1, 5, 9, 10, 11, 12, 9, 6, 5, 4, 9, 10]) bound.note(backlog);
    expect(heard).toEqual([
      [true, 10],
      [false, 5],
      [true, 10],
    ]);
    expect(bound.behind).toBe(true);
  });

  it('with pauseAt 0 never holds anyone', () => {
    const bound = new BacklogBound(0);
    const heard: boolean[] = [];
    bound.onChange((behind) => heard.push(behind));
    for (const backlog of [1, 1_000, 1_000_000]) bound.note(backlog);
    expect(heard).toEqual([]);
  });

  it('tells a listener that starts listening while routing is behind at once', () => {
    const bound = new BacklogBound(3);
    bound.note(3);
    const heard: boolean[] = [];
    bound.onChange((behind) => heard.push(behind));
    expect(heard).toEqual([true]);
  });
});

describe('RoutingQueue with maxBacklog', () => {
  const pacing: RouterPacing = {
    maxInFlight: 2,
    perTurn: 8,
    burstPerSecond: 1_000_000,
    burstPerTurn: 8,
    burstShare: 1,
    maxQueuedBytesHeld: 100,
    maxBacklog: 4,
  };
  const event = (messageId: number) => ({
    messageId,
    listener: 'mllp',
    raw: Buffer.from(
      `MSH|^~\\&|LAB|RGH|SB|TEST|20260115083000||ORU^R01|C${messageId}|P|2.5\rPID|1||M${messageId}\r`,
    ),
  });

  it('is behind once four messages wait or run, and catches up when two are left', async () => {
    const release: Array<() => void> = [];
    const queue = new RoutingQueue(pacing, () => new Promise<void>((resolve) => release.push(resolve)));
    const heard: Array<[boolean, number]> = [];
    queue.bound.onChange((behind, backlog) => heard.push([behind, backlog]));
    for (let id = 1; id <= 5; id++) queue.add(event(id), {});
    expect(heard).toEqual([[true, 4]]);
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    // Routed one at a time: 5 → 4 → 3 → 2 (caught up) → …
    for (let routed = 0; routed < 5; routed++) {
      await settle();
      await settle();
      release.shift()?.();
    }
    await queue.drained();
    expect(heard).toEqual([
      [true, 4],
      [false, 2],
    ]);
  });
});
