import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InterfaceTraffic, percentile } from '../../src/api/operations/interface-traffic.ts';
import { OTHER_SENDERS, TrafficTally } from '../../src/listeners/mllp/traffic-tally.ts';

function traffic(now: { t: number }, quiet: Record<string, number>) {
  const registers = [new Registry()];
  const labelNames = ['listener', 'sender'] as const;
  return new InterfaceTraffic(
    {
      messages: new Counter({ name: 'm', help: 'm', labelNames, registers }),
      naks: new Counter({ name: 'n', help: 'n', labelNames, registers }),
      ackSeconds: new Histogram({ name: 'a', help: 'a', labelNames, registers }),
    },
    (sender) => quiet[sender] ?? 0,
    () => now.t,
  );
}

const T0 = Date.parse('2026-03-08T10:00:30Z');

describe('interface traffic', () => {
  it('counts per minute over the last hour, oldest first, forgetting minutes older than an hour', () => {
    const now = { t: T0 };
    const board = traffic(now, {});
    board.add('mllp', { LAB: { messages: 4, naks: 1, ackMs: [2, 3, 4, 50], lastAt: T0 - 70 * 60_000 } });
    board.add('mllp', { LAB: { messages: 2, naks: 0, ackMs: [1, 1], lastAt: T0 - 5 * 60_000 } });
    board.add('mllp', { LAB: { messages: 5, naks: 0, ackMs: [1], lastAt: T0 } });
    const [lab] = board.figures();
    expect(lab.messages).toBe(11);
    expect(lab.naks).toBe(1);
    expect(lab.perMinute).toHaveLength(60);
    expect(lab.perMinute[59]).toBe(5);
    expect(lab.perMinute[54]).toBe(2);
    // The minute 70 minutes ago shared its ring slot with minute -10, and is not counted in the hour.
    expect(lab.perMinute.reduce((a, b) => a + b, 0)).toBe(7);
    // ACK times older than an hour are left out of the percentiles: 1, 1, 1.
    expect(lab.ackP99Ms).toBe(1);
  });

  it('warns of a quiet sender past its own quietMinutes, and not before', () => {
    const now = { t: T0 };
    const board = traffic(now, { ADT: 15 });
    board.add('mllp', {
      ADT: { messages: 1, naks: 0, ackMs: [1], lastAt: T0 },
      LAB: { messages: 1, naks: 0, ackMs: [1], lastAt: T0 },
    });
    now.t = T0 + 14 * 60_000;
    expect(board.figures().map((f) => f.quietForMinutes)).toEqual([null, null]);
    now.t = T0 + 16 * 60_000;
    const [adt, lab] = board.figures();
    expect(adt.quietForMinutes).toBe(16);
    // No quietMinutes for LAB: never a warning.
    expect(lab.quietForMinutes).toBeNull();
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
  });
});

describe('traffic tally (the listener side)', () => {
  it('hands over what it counted once, and caps the number of senders it names', () => {
    const tally = new TrafficTally(2, 3);
    for (const [sender, code] of [
      ['A', 'AA'],
      ['A', 'AR'],
      ['B', 'CA'],
      ['C', 'AE'],
      ['A', 'AA'],
      ['A', 'AA'],
    ])
      tally.record(sender, code, 1.5, T0);
    const batch = tally.take();
    expect(batch?.A).toMatchObject({ messages: 4, naks: 1 });
    // At most maxSamples ACK times per batch.
    expect(batch?.A.ackMs).toHaveLength(3);
    expect(batch?.B).toMatchObject({ messages: 1, naks: 0 });
    expect(batch?.[OTHER_SENDERS]).toMatchObject({ messages: 1, naks: 1 });
    expect(tally.take()).toBeUndefined();
  });
});

describe('a sender that sends nothing', () => {
  it('is listed, and quiet once its quietMinutes have passed since the start', () => {
    const registers = [new Registry()];
    const labelNames = ['listener', 'sender'] as const;
    const now = { t: T0 };
    const board = new InterfaceTraffic(
      {
        messages: new Counter({ name: 'm', help: 'm', labelNames, registers }),
        naks: new Counter({ name: 'n', help: 'n', labelNames, registers }),
        ackSeconds: new Histogram({ name: 'a', help: 'a', labelNames, registers }),
      },
      (sender) => ({ RAD: 10, LAB: 10 })[sender] ?? 0,
      () => now.t,
      ['RAD', 'LAB'],
    );
    board.add('mllp', { LAB: { messages: 1, naks: 0, ackMs: [1], lastAt: T0 } });
    now.t = T0 + 9 * 60_000;
    expect(board.figures().map((f) => [f.sender, f.quietForMinutes])).toEqual([
      ['LAB', null],
      ['RAD', null],
    ]);
    now.t = T0 + 11 * 60_000;
    expect(board.figures().map((f) => [f.sender, f.messages, f.quietForMinutes])).toEqual([
      ['LAB', 1, 11],
      ['RAD', 0, 11],
    ]);
  });
});
