import { describe, expect, it } from 'vitest';
import { formatWctpTimestamp, parseWctpTimestamp } from './timestamp.ts';
import { WctpError } from './wctp-error.ts';

describe('WCTP timestamps', () => {
  it('reads the WCTP form as UTC', () => {
    expect(parseWctpTimestamp('2025-03-09T06:59:58').toISOString()).toBe('2025-03-09T06:59:58.000Z');
  });

  it('also reads fractions, a Z and numeric offsets', () => {
    expect(parseWctpTimestamp('2025-03-09T06:59:58.250Z').toISOString()).toBe('2025-03-09T06:59:58.250Z');
    expect(parseWctpTimestamp('2025-03-09T01:59:58-05:00').toISOString()).toBe('2025-03-09T06:59:58.000Z');
    expect(parseWctpTimestamp('2025-03-09T08:59:58+0200').toISOString()).toBe('2025-03-09T06:59:58.000Z');
  });

  it.each(['09/03/2025 07:00', '2025-02-30T00:00:00', '2025-01-01T24:00:00', '2025-1-1T0:0:0', ''])(
    'refuses %j with 405',
    (text) => {
      expect(() => parseWctpTimestamp(text)).toThrow(WctpError);
      try {
        parseWctpTimestamp(text);
      } catch (error) {
        expect((error as WctpError).code).toBe(405);
      }
    },
  );

  it('writes UTC with whole seconds and no zone designator', () => {
    expect(formatWctpTimestamp(new Date('2025-03-09T06:59:58.999Z'))).toBe('2025-03-09T06:59:58');
    expect(() => formatWctpTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
