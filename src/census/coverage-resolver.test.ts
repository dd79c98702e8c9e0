import { describe, expect, it } from 'vitest';
import type { CoveragePlan, StaffCoverage } from './coverage-plan.ts';
import { CoverageResolver } from './coverage-resolver.ts';
import { parseClock, windowCovers } from './shift-window.ts';

const zone = 'America/New_York';
const DAY = { start: 7 * 60, end: 19 * 60 };
const NIGHT = { start: 19 * 60, end: 7 * 60 };

const entry = (
  person: string,
  role: string,
  unit: string,
  beds: string[],
  window?: typeof DAY,
): StaffCoverage => ({
  person,
  role,
  unit,
  beds,
  ...(window ? { window } : {}),
  origin: { file: 'coverage.yaml', line: 1 },
});

const plan: CoveragePlan = {
  entries: [
    entry('rn-day', 'nurse', '4W', ['401-A', '401-B'], DAY),
    entry('rn-night', 'nurse', '4W', ['401-A', '401-B', '402-A'], NIGHT),
    entry('rn-float', 'nurse', '4W', [], DAY),
    entry('tech-day', 'tech', '4W', ['401-A'], DAY),
    entry('charge-4w', 'charge-nurse', '4W', []),
    entry('rn-icu', 'nurse', 'ICU', ['ICU-1', 'ICU-2']),
    entry('rn-room', 'nurse', 'ICU', ['7']),
  ],
};
const resolver = new CoverageResolver(plan);
const bed401A = { unit: '4W', room: '401', bed: 'A' };
const who = (place: Parameters<CoverageResolver['covering']>[0], role: string, iso: string, z = zone) =>
  resolver.covering(place, role, new Date(iso), z);

describe('CoverageResolver', () => {
  it('answers the day nurse by day and the night nurse through midnight', () => {
    expect(who(bed401A, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-day']); // 10:00 EDT
    expect(who(bed401A, 'nurse', '2024-06-13T03:00:00Z')).toEqual(['rn-night']); // 23:00 EDT
    expect(who(bed401A, 'nurse', '2024-06-13T07:30:00Z')).toEqual(['rn-night']); // 03:30 EDT
  });

  it('hands over at the window edge: start inclusive, end exclusive', () => {
    expect(who(bed401A, 'nurse', '2024-06-12T22:59:00Z')).toEqual(['rn-day']); // 18:59
    expect(who(bed401A, 'nurse', '2024-06-12T23:00:00Z')).toEqual(['rn-night']); // 19:00
    expect(who(bed401A, 'nurse', '2024-06-13T10:59:00Z')).toEqual(['rn-night']); // 06:59
    expect(who(bed401A, 'nurse', '2024-06-13T11:00:00Z')).toEqual(['rn-day']); // 07:00
  });

  it('keeps the night nurse across the spring-forward night and hands over at 07:00 EDT', () => {
    // 10 March 2024: 01:59 EST is followed by 03:00 EDT.
    expect(who(bed401A, 'nurse', '2024-03-10T06:59:00Z')).toEqual(['rn-night']); // 01:59 EST
    expect(who(bed401A, 'nurse', '2024-03-10T07:00:00Z')).toEqual(['rn-night']); // 03:00 EDT
    expect(who(bed401A, 'nurse', '2024-03-10T10:59:00Z')).toEqual(['rn-night']); // 06:59 EDT
    expect(who(bed401A, 'nurse', '2024-03-10T11:00:00Z')).toEqual(['rn-day']); // 07:00 EDT, 11 h after 19:00 EST
  });

  it('keeps the night nurse through both 01:30s of the fall-back night and hands over at 07:00 EST', () => {
    // 3 November 2024: 01:59 EDT is followed by 01:00 EST.
    expect(who(bed401A, 'nurse', '2024-11-03T05:30:00Z')).toEqual(['rn-night']); // 01:30 EDT
    expect(who(bed401A, 'nurse', '2024-11-03T06:30:00Z')).toEqual(['rn-night']); // 01:30 EST
    expect(who(bed401A, 'nurse', '2024-11-03T11:30:00Z')).toEqual(['rn-night']); // 06:30 EST
    expect(who(bed401A, 'nurse', '2024-11-03T12:00:00Z')).toEqual(['rn-day']); // 07:00 EST, 13 h after 19:00 EDT
  });

  it('prefers bed-level assignments and falls back to the unit', () => {
    // 402-A has a night nurse only: by day, the float who covers the whole unit.
    expect(who({ unit: '4W', room: '402', bed: 'A' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-float']);
    expect(who({ unit: '4W', room: '402', bed: 'A' }, 'nurse', '2024-06-13T03:00:00Z')).toEqual(['rn-night']);
    // No bed-level and no unit-level entry at night for 405-B: nobody, not the day staff.
    expect(who({ unit: '4W', room: '405', bed: 'B' }, 'nurse', '2024-06-13T03:00:00Z')).toEqual([]);
    // A unit-wide question (no bed) is answered at unit level.
    expect(who({ unit: '4W' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-float']);
  });

  it('finds each role separately and an all-day charge nurse at any hour', () => {
    expect(who(bed401A, 'tech', '2024-06-12T14:00:00Z')).toEqual(['tech-day']);
    expect(who(bed401A, 'tech', '2024-06-13T03:00:00Z')).toEqual([]);
    expect(who(bed401A, 'charge-nurse', '2024-06-13T03:00:00Z')).toEqual(['charge-4w']);
    expect(who(bed401A, 'Charge-Nurse', '2024-06-12T14:00:00Z')).toEqual(['charge-4w']);
  });

  it('matches bed labels as ROOM-BED, bed id alone or whole room, whatever the case', () => {
    expect(who({ unit: 'icu', room: '', bed: 'icu-2' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-icu']);
    expect(who({ unit: 'ICU', room: 'ICU-1' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-icu']);
    expect(who({ unit: 'ICU', room: '7', bed: 'B' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-room']);
    expect(who({ unit: '4w', room: '401', bed: 'b' }, 'nurse', '2024-06-12T14:00:00Z')).toEqual(['rn-day']);
  });

  it('reads the wall clock in the zone it is given', () => {
    // 14:00 UTC is 10:00 in New York (day) but 23:00 in Tokyo (night).
    expect(who(bed401A, 'nurse', '2024-06-12T14:00:00Z', 'Asia/Tokyo')).toEqual(['rn-night']);
    expect(() => who(bed401A, 'nurse', '2024-06-12T14:00:00Z', 'Mars/Olympus')).toThrow(/time zone/);
  });

  it('says why: the level and the entry that matched', () => {
    const [match] = resolver.coverageOf(bed401A, 'nurse', new Date('2024-06-12T14:00:00Z'), zone);
    expect(match.level).toBe('bed');
    expect(match.entry.origin).toEqual({ file: 'coverage.yaml', line: 1 });
    const [fallback] = resolver.coverageOf(
      { unit: '4W', room: '409', bed: 'A' },
      'nurse',
      new Date('2024-06-12T14:00:00Z'),
      zone,
    );
    expect(fallback).toMatchObject({ person: 'rn-float', level: 'unit' });
  });

  it('lists who is on duty on a unit', () => {
    const night = resolver.onDuty('4W', new Date('2024-06-13T03:00:00Z'), zone).map((e) => e.person);
    expect(night).toEqual(['rn-night', 'charge-4w']);
  });
});

describe('shift windows', () => {
  it('parses local clock times', () => {
    expect(parseClock('07:00')).toBe(420);
    expect(parseClock('7:05')).toBe(425);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('24:00', true)).toBe(1440);
    expect(parseClock('19:60')).toBeUndefined();
    expect(parseClock('7pm')).toBeUndefined();
  });

  it('treats equal start and end, and 00:00–24:00, as the whole day', () => {
    expect(windowCovers({ start: 420, end: 420 }, 0)).toBe(true);
    expect(windowCovers({ start: 420, end: 420 }, 419)).toBe(true);
    expect(windowCovers({ start: 0, end: 1440 }, 1439)).toBe(true);
    expect(windowCovers({ start: 1200, end: 1440 }, 1439)).toBe(true);
    expect(windowCovers({ start: 1200, end: 1440 }, 0)).toBe(false);
  });
});
