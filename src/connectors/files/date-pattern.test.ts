import { describe, expect, it } from 'vitest';
import { compileDatePattern, datePatternProblem } from './date-pattern.ts';

describe('date patterns', () => {
  const at = new Date('2026-03-08T06:30:05Z'); // 01:30:05 EST, half an hour before clocks go forward

  it('writes the wall clock of the zone, across a DST change', () => {
    const w = compileDatePattern('yyyy-MM-dd HH:mm:ss ZZ', 'America/New_York');
    expect(w(at)).toBe('2026-03-08 01:30:05 -05:00');
    expect(w(new Date('2026-03-08T07:30:05Z'))).toBe('2026-03-08 03:30:05 -04:00');
    expect(w(new Date('2026-11-01T05:30:00Z'))).toBe('2026-11-01 01:30:00 -04:00');
    expect(w(new Date('2026-11-01T06:30:00Z'))).toBe('2026-11-01 01:30:00 -05:00');
  });

  it('knows short tokens, 12-hour clocks and quoted text', () => {
    expect(compileDatePattern("M/d/yy h:mm a 'at' ZZZ", 'America/New_York')(at)).toBe(
      '3/8/26 1:30 AM at -0500',
    );
    expect(compileDatePattern("yyyyMMdd'T'HHmm''", 'UTC')(at)).toBe("20260308T0630'");
    expect(compileDatePattern('hh a', 'UTC')(new Date('2026-01-01T12:00:00Z'))).toBe('12 PM');
  });

  it('writes an instant met again as the first time, in its own zone, past the instants it remembers', () => {
    const w = compileDatePattern('MM/dd/yyyy HH:mm ZZ', 'America/New_York');
    const first = w(new Date('2026-11-01T05:30:00Z'));
    for (let i = 0; i < 5000; i++) w(new Date(Date.UTC(2026, 0, 1) + i * 60_000));
    expect(w(new Date('2026-11-01T05:30:00Z'))).toBe(first);
    expect(first).toBe('11/01/2026 01:30 -04:00');
    expect(w(new Date('2026-11-01T06:30:00Z'))).toBe('11/01/2026 01:30 -05:00');
    expect(w(new Date('2026-11-01T06:30:00Z'))).toBe('11/01/2026 01:30 -05:00');
  });

  it('refuses an unclosed quote and an unknown zone', () => {
    expect(datePatternProblem("yyyy 'x")).toMatch(/never closed/);
    expect(() => compileDatePattern('yyyy', 'Mars/Olympus')).toThrow(/not an IANA/);
  });
});
