import { describe, expect, it } from 'vitest';
import { mergeIntervals, uncovered } from './intervals.ts';
import { atLocalTime, formatLocal, localDay, parseLocalTime, parseTimeOfDay } from './local-time.ts';

const zone = 'America/New_York';
const iso = (r: ReturnType<typeof parseLocalTime>) => (r.ok ? r.at.toISOString() : r.message);

describe('local time in the site zone', () => {
  it('reads wall-clock time on ordinary days, in winter and summer offsets', () => {
    expect(iso(parseLocalTime('2026-11-22 07:00', zone))).toBe('2026-11-22T12:00:00.000Z');
    expect(iso(parseLocalTime('2026-07-04T19:30', zone))).toBe('2026-07-04T23:30:00.000Z');
    expect(iso(parseLocalTime('2026-07-04 7:30:15', zone))).toBe('2026-07-04T11:30:15.000Z');
  });

  it('refuses the skipped spring-forward hour and reads the repeated fall-back hour as its first pass', () => {
    expect(iso(parseLocalTime('2026-03-08 02:30', zone))).toMatch(/does not exist in America\/New_York/);
    expect(iso(parseLocalTime('2026-03-08 03:00', zone))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(parseLocalTime('2026-11-01 01:30', zone))).toBe('2026-11-01T05:30:00.000Z'); // EDT
    expect(iso(parseLocalTime('2026-11-01 01:30-05:00', zone))).toBe('2026-11-01T06:30:00.000Z'); // EST
    expect(iso(parseLocalTime('2026-11-01T06:30Z', zone))).toBe('2026-11-01T06:30:00.000Z');
  });

  it('refuses what is not a time', () => {
    expect(iso(parseLocalTime('2026-02-30 07:00', zone))).toMatch(/is not a valid date and time/);
    expect(iso(parseLocalTime('2026-11-22 24:00', zone))).toMatch(/is not a valid date and time/);
    expect(iso(parseLocalTime('tomorrow 7am', zone))).toMatch(/write it as YYYY-MM-DD HH:mm/);
    expect(parseTimeOfDay('07:00')).toBe(420);
    expect(parseTimeOfDay('24:00')).toBeUndefined();
    expect(parseTimeOfDay('7h')).toBeUndefined();
  });

  it('counts local calendar days and finds wall-clock instants past midnight', () => {
    // 03:00Z on 22 November is still the 21st in New York.
    const day = localDay(new Date('2026-11-22T03:00:00Z'), zone);
    expect([day.year, day.month, day.day]).toEqual([2026, 11, 21]);
    expect(localDay(new Date('2026-11-22T03:00:00Z'), zone, 1).ordinal).toBe(day.ordinal + 1);
    expect(atLocalTime(day, 19 * 60 + 12 * 60, zone).toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(formatLocal(new Date('2026-11-01T05:30:00Z'), zone)).toBe('2026-11-01 01:30 EDT');
  });
});

describe('intervals', () => {
  const d = (h: number) => new Date(Date.UTC(2026, 10, 22, h));
  const hours = (list: Array<{ start: Date; end: Date }>) =>
    list.map((i) => [i.start.getUTCHours(), i.end.getUTCHours()]);

  it('merges overlapping and touching intervals and drops empty ones', () => {
    expect(
      hours(
        mergeIntervals([
          { start: d(7), end: d(12) },
          { start: d(2), end: d(4) },
          { start: d(12), end: d(19) },
          { start: d(8), end: d(9) },
          { start: d(20), end: d(20) },
        ]),
      ),
    ).toEqual([
      [2, 4],
      [7, 19],
    ]);
  });

  it('returns the uncovered parts of a window', () => {
    const covered = [
      { start: d(0), end: d(3) },
      { start: d(5), end: d(8) },
      { start: d(7), end: d(10) },
    ];
    expect(hours(uncovered(d(1), d(12), covered))).toEqual([
      [3, 5],
      [10, 12],
    ]);
    expect(hours(uncovered(d(1), d(2), covered))).toEqual([]);
    expect(hours(uncovered(d(1), d(4), []))).toEqual([[1, 4]]);
  });
});
