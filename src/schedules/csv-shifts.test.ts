import { describe, expect, it } from 'vitest';
import { readCsvShifts } from './csv-shifts.ts';

const ctx = {
  zone: 'America/New_York',
  source: 'csv:shifts.csv',
  knownAssignment: (id: string) => id === 'icu-attending',
  knownPeople: (id: string) => id === 'p-okafor',
};

describe('readCsvShifts', () => {
  it('names the column of a broken field and still reads the good rows', () => {
    const text = [
      '\ufeffassignment, person ,start,end,notes',
      'icu-attending,p-okafor,2026-11-22 07:00,2026-11-22 19:00,"days, then handoff"',
      'icu-attending,p-okafor,2026-11-23 07:00,2026-11-23 19:00,say "hi"',
      'icu-attending,p-okafor,2026-11-24 07:00,2026-11-24 19:00,"fine"',
    ].join('\r\n');
    const { shifts, problems } = readCsvShifts(text, 'shifts.csv', ctx);
    expect(problems).toEqual([
      {
        file: 'shifts.csv',
        line: 3,
        key: 'notes',
        message: 'a quote inside a field that does not start with a quote',
      },
    ]);
    expect(shifts.map((s) => [s.start.toISOString(), s.notes])).toEqual([
      ['2026-11-22T12:00:00.000Z', 'days, then handoff'],
      ['2026-11-24T12:00:00.000Z', 'fine'],
    ]);
  });

  it('names a broken header field by its position', () => {
    const { problems } = readCsvShifts('assignment,"person\n', 'shifts.csv', ctx);
    expect(problems[0]).toEqual({
      file: 'shifts.csv',
      line: 1,
      key: 'column 2',
      message: 'a quoted field is never closed',
    });
  });
});
