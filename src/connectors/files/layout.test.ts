import { describe, expect, it } from 'vitest';
import { CompiledLayout, type FileLayout, layoutProblems, ZonedInstant } from './layout.ts';

const base: FileLayout = {
  columns: [
    { field: 'who', header: 'Who' },
    { field: 'start', header: 'Start' },
    { field: 'start', header: 'Day', format: 'date' },
    { field: 'open', header: 'Open' },
    { field: 'note' },
  ],
  header: true,
  delimiter: ',',
  quote: 'minimal',
  lineEnding: 'crlf',
  dateFormat: 'MM/dd/yyyy',
  timeFormat: 'HH:mm',
  dateTimeFormat: 'yyyy-MM-dd HH:mm',
  timeZone: 'America/New_York',
  booleans: ['Y', 'N'],
  fileName: '{connector}_{yyyyMMdd}.csv',
};

const at = new Date('2026-11-01T12:00:00Z'); // 07:00 EST, the fall-back day

describe('compiled layouts', () => {
  it('writes each column of a record: dates in the layout zone, an instant in its own zone, booleans', () => {
    const layout = new CompiledLayout(base);
    expect(layout.headers).toEqual(['Who', 'Start', 'Day', 'Open', 'note']);
    expect(layout.fields({ who: 'Ahmed, Sara', start: at, open: true, note: null })).toEqual([
      'Ahmed, Sara',
      '2026-11-01 07:00',
      '11/01/2026',
      'Y',
      '',
    ]);
    expect(layout.fields({ who: 'x', start: new ZonedInstant(at, 'America/Chicago'), open: false })[1]).toBe(
      '2026-11-01 06:00',
    );
    expect(layout.fileName(at, 'epic')).toBe('epic_20261101.csv');
  });

  it('writes a record as one line of its fields, quoted where the dialect needs it', () => {
    const record = { who: 'Ahmed, "Sara"', start: at, open: true, note: 'two\nlines' };
    expect(new CompiledLayout(base).line(record)).toBe(
      '"Ahmed, ""Sara""",2026-11-01 07:00,11/01/2026,Y,"two\nlines"\r\n',
    );
    const all = new CompiledLayout({ ...base, delimiter: ';', quote: 'all', lineEnding: 'lf' });
    expect(all.line(record)).toBe('"Ahmed, ""Sara""";"2026-11-01 07:00";"11/01/2026";"Y";"two\nlines"\n');
  });

  it('keeps text a spreadsheet would run as a formula from running, when asked', () => {
    const record = { who: '=HYPERLINK("http://x","call")', start: at, open: true, note: '-5 West' };
    expect(new CompiledLayout(base).fields(record)[0]).toBe('=HYPERLINK("http://x","call")');
    const safe = new CompiledLayout({ ...base, spreadsheetSafe: true }).fields(record);
    expect(safe[0]).toBe('\'=HYPERLINK("http://x","call")');
    expect(safe[4]).toBe("'-5 West");
    expect(safe[1]).toBe('2026-11-01 07:00');
  });

  it('names what is wrong with a layout by its key', () => {
    const problems = layoutProblems(
      {
        ...base,
        delimiter: '\n',
        columns: [{ field: 'nope' }, { field: 'start', format: "yyyy 'x" }],
        fileName: 'a/b.csv',
      },
      ['who', 'start'],
    );
    expect(problems.map((p) => p.key)).toEqual([
      'delimiter',
      'columns.0.field',
      'columns.1.format',
      'fileName',
    ]);
  });
});
