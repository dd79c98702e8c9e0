import { describe, expect, it } from 'vitest';
import { describeWctpCode, WCTP_STATUS_CODES, WctpCode, wctpCodeName, wctpOutcome } from './error-codes.ts';

describe('WCTP status code table', () => {
  it('has a row, with a name and a meaning, for every named constant and nothing else', () => {
    const constants = Object.values(WctpCode).sort((a, b) => a - b);
    expect(WCTP_STATUS_CODES.map((row) => row.code)).toEqual(constants);
    for (const row of WCTP_STATUS_CODES) {
      expect(row.name.length).toBeGreaterThan(0);
      expect(row.meaning.length).toBeGreaterThan(0);
    }
  });

  it('classifies by series: 2xx success, 6xx temporary, the rest permanent', () => {
    for (const row of WCTP_STATUS_CODES) {
      const series = Math.floor(row.code / 100);
      const expected = series === 2 ? 'success' : series === 6 ? 'temporary' : 'permanent';
      expect(row.outcome, String(row.code)).toBe(expected);
    }
  });

  it('judges codes outside the table by their series (NotifiUs sends 606)', () => {
    expect(describeWctpCode(606)).toBeUndefined();
    expect(wctpOutcome(606)).toBe('temporary');
    expect(wctpCodeName(606)).toBe('Temporary failure 606');
    expect(wctpOutcome(299)).toBe('success');
    expect(wctpOutcome(499)).toBe('permanent');
  });

  it('gives the short names used as errorText', () => {
    expect(wctpCodeName(WctpCode.InvalidRecipientId)).toBe('Invalid recipientID');
    expect(describeWctpCode(604)).toMatchObject({ name: 'Internal server error', outcome: 'temporary' });
  });
});
