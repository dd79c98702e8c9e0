import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { wallClock, zoneOffsets } from './zone-clock.ts';

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
    expect(() => wallClock(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
