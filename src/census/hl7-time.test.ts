import { describe, expect, it } from 'vitest';
import { parseHl7Date, parseHl7Time } from './hl7-time.ts';

const zone = 'America/New_York';
const iso = (text: string) => parseHl7Time(text, zone)?.toISOString();

describe('parseHl7Time', () => {
  it('reads local times in the site zone, on both sides of a DST change', () => {
    expect(iso('20240115083000')).toBe('2024-01-15T13:30:00.000Z'); // EST
    expect(iso('20240715083000')).toBe('2024-07-15T12:30:00.000Z'); // EDT
    // 3 November 2024: 01:30 happens twice; the first (EDT) is taken.
    expect(iso('202411030130')).toBe('2024-11-03T05:30:00.000Z');
    // 10 March 2024: 02:30 never happens; it is read as the instant the clocks jumped past it.
    expect(iso('202403100230')).toBe('2024-03-10T07:30:00.000Z');
  });

  it('honours an explicit offset and fractions of a second', () => {
    expect(iso('20240115083000+0100')).toBe('2024-01-15T07:30:00.000Z');
    expect(iso('20240115083000.25-0330')).toBe('2024-01-15T12:00:00.250Z');
  });

  it('accepts reduced precision', () => {
    expect(iso('2024')).toBe('2024-01-01T05:00:00.000Z');
    expect(iso('20240115')).toBe('2024-01-15T05:00:00.000Z');
  });

  it('gives nothing for empty, HL7 null and malformed values', () => {
    expect(parseHl7Time(undefined, zone)).toBeUndefined();
    expect(iso('')).toBeUndefined();
    expect(iso('""')).toBeUndefined();
    expect(iso('2024-01-15')).toBeUndefined();
    expect(iso('20241345')).toBeUndefined(); // month 13
  });
});

describe('parseHl7Date', () => {
  it('keeps a birth date as the calendar date it is', () => {
    expect(parseHl7Date('19580214')).toBe('1958-02-14');
    expect(parseHl7Date('195802140000-0500')).toBe('1958-02-14');
    expect(parseHl7Date('1958')).toBe('1958');
    expect(parseHl7Date('')).toBe('');
    expect(parseHl7Date(undefined)).toBe('');
  });
});
