import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  instantsOfWallTime,
  isValidZone,
  offsetMinutes,
  wallClock,
  wallTimeToInstant,
  zoneOffsets,
} from './zone-clock.ts';

describe('wallClock', () => {
  it('reads the same wall clock as luxon across two years, DST changes and odd offsets included', () => {
    const zones = [
      'America/New_York',
      'America/Chicago',
      'Europe/London',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'UTC',
    ];
    const start = Date.UTC(2025, 0, 1);
    const end = Date.UTC(2027, 0, 1);
    // Every 97 minutes 13 seconds: drifts through every minute of the hour, and over both changes of each year.
    for (const zone of zones) {
      for (let ms = start; ms < end; ms += 5_833_000) {
        const local = DateTime.fromMillis(ms, { zone });
        expect(wallClock(ms, zone)).toEqual({
          minute: local.hour * 60 + local.minute,
          weekday: local.weekday,
        });
      }
    }
  });

  it('follows New York through both 2026 changes to the minute', () => {
    const zone = 'America/New_York';
    // 2026-03-08 06:59 UTC is 01:59 EST; a minute later it is 03:00 EDT.
    expect(wallClock(Date.UTC(2026, 2, 8, 6, 59), zone).minute).toBe(1 * 60 + 59);
    expect(wallClock(Date.UTC(2026, 2, 8, 7, 0), zone).minute).toBe(3 * 60);
    // 2026-11-01 05:59 UTC is 01:59 EDT; a minute later it is 01:00 EST (the second 01:00).
    expect(wallClock(Date.UTC(2026, 10, 1, 5, 59), zone).minute).toBe(1 * 60 + 59);
    expect(wallClock(Date.UTC(2026, 10, 1, 6, 0), zone).minute).toBe(1 * 60);
  });

  it('refuses a name that is not an IANA zone', () => {
    expect(zoneOffsets('Mars/Olympus_Mons')).toBeUndefined();
    expect(isValidZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidZone('America/New_York')).toBe(true);
    expect(() => wallClock(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => offsetMinutes('Mars/Olympus_Mons', 0)).toThrow(RangeError);
    expect(() => wallTimeToInstant('Mars/Olympus_Mons', 0)).toThrow(RangeError);
  });
});

describe('instants of a wall time', () => {
  const zone = 'America/New_York';
  const HOUR = 3_600_000;
  const at = (wall: number) => new Date(wallTimeToInstant(zone, wall)).toISOString();

  it('makes 07:00 to 07:00 a 23-hour day in spring and a 25-hour day in autumn', () => {
    const seven = (month: number, day: number) => wallTimeToInstant(zone, Date.UTC(2026, month - 1, day, 7));
    expect((seven(3, 8) - seven(3, 7)) / HOUR).toBe(23);
    expect((seven(3, 9) - seven(3, 8)) / HOUR).toBe(24);
    expect((seven(11, 1) - seven(10, 31)) / HOUR).toBe(25);
    expect((seven(11, 2) - seven(11, 1)) / HOUR).toBe(24);
  });

  it('reads a repeated reading as its first pass and moves a skipped one forward by the gap', () => {
    expect(
      instantsOfWallTime(zone, Date.UTC(2026, 10, 1, 1, 30)).map((ms) => new Date(ms).toISOString()),
    ).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']);
    expect(at(Date.UTC(2026, 10, 1, 1, 30))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(instantsOfWallTime(zone, Date.UTC(2026, 2, 8, 2, 30))).toEqual([]);
    expect(at(Date.UTC(2026, 2, 8, 2, 30))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(at(Date.UTC(2026, 2, 8, 3, 0))).toBe('2026-03-08T07:00:00.000Z');
  });

  it('agrees with luxon around every 2026 transition, in zones with odd offsets and half-hour DST', () => {
    const DAY = 86_400_000;
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/St_Johns',
    ];
    for (const z of zones) {
      // The days on which the offset changes and the days either side of them, plus one ordinary day.
      const days = [Date.UTC(2026, 5, 15)];
      for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2027, 0, 1); d += DAY) {
        if (DateTime.fromMillis(d, { zone: z }).offset !== DateTime.fromMillis(d + DAY, { zone: z }).offset) {
          days.push(d, d + DAY, d + 2 * DAY);
        }
      }
      expect(days.length, z).toBe(z === 'Asia/Kathmandu' ? 1 : 7);
      for (const wall of days.flatMap((d) => Array.from({ length: 48 }, (_, i) => d + i * 30 * 60_000))) {
        const w = new Date(wall);
        const expected = DateTime.fromObject(
          {
            year: w.getUTCFullYear(),
            month: w.getUTCMonth() + 1,
            day: w.getUTCDate(),
            hour: w.getUTCHours(),
            minute: w.getUTCMinutes(),
          },
          { zone: z },
        );
        const possible = expected
          .getPossibleOffsets()
          .map((d) => d.toMillis())
          .sort((a, b) => a - b);
        const exists = expected.hour === w.getUTCHours() && expected.minute === w.getUTCMinutes();
        expect(instantsOfWallTime(z, wall), `${z} ${w.toISOString()}`).toEqual(exists ? possible : []);
      }
    }
  });
});
