import { describe, expect, it } from 'vitest';
import { isDue, lastSlot } from './cadence.ts';

const zone = 'America/New_York';
const at = (iso: string) => new Date(iso);

describe('connector cadences', () => {
  it('every N minutes since the last run; never run: due', () => {
    const c = { kind: 'every', minutes: 10 } as const;
    expect(isDue(c, undefined, at('2026-03-01T12:00:00Z'), zone)).toBe(true);
    expect(isDue(c, at('2026-03-01T12:00:00Z'), at('2026-03-01T12:09:59Z'), zone)).toBe(false);
    expect(isDue(c, at('2026-03-01T12:00:00Z'), at('2026-03-01T12:10:00Z'), zone)).toBe(true);
  });

  it('daily at 02:00 local, on the wall clock across the spring change', () => {
    const c = { kind: 'daily', at: '02:30' } as const;
    // 2026-03-08 has no 02:30 in New York: the slot falls at 03:30 EDT (07:30Z), the day after at 06:30Z.
    expect(lastSlot(c, at('2026-03-07T08:00:00Z'), zone)?.toISOString()).toBe('2026-03-07T07:30:00.000Z');
    expect(lastSlot(c, at('2026-03-09T12:00:00Z'), zone)?.toISOString()).toBe('2026-03-09T06:30:00.000Z');
    expect(isDue(c, at('2026-03-09T06:29:00Z'), at('2026-03-09T06:31:00Z'), zone)).toBe(true);
    expect(isDue(c, at('2026-03-09T06:31:00Z'), at('2026-03-09T20:00:00Z'), zone)).toBe(false);
  });

  it('per pay period: the first day of each period at its time', () => {
    const c = { kind: 'payPeriod', days: 14, anchor: '2026-01-04', at: '01:00' } as const;
    expect(lastSlot(c, at('2026-01-20T12:00:00Z'), zone)?.toISOString()).toBe('2026-01-18T06:00:00.000Z');
    expect(lastSlot(c, at('2026-01-18T05:59:00Z'), zone)?.toISOString()).toBe('2026-01-04T06:00:00.000Z');
    expect(isDue(c, at('2026-01-04T06:00:00Z'), at('2026-01-17T23:00:00Z'), zone)).toBe(false);
    expect(isDue(c, at('2026-01-04T06:00:00Z'), at('2026-01-18T06:00:00Z'), zone)).toBe(true);
    expect(isDue({ kind: 'onChange' }, undefined, at('2026-01-18T06:00:00Z'), zone)).toBe(false);
  });
});
