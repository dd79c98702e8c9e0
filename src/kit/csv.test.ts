import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';

describe('readCsv (RFC 4180 through csv-parse)', () => {
  it('reads plain fields with CRLF or LF record ends and skips blank lines', () => {
    const { records, problems } = readCsv('a,b,c\r\n1,2,3\n\n4,,6\n');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
      { line: 4, fields: ['4', '', '6'] },
    ]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks, counting lines', () => {
    const text = 'notes,who\r\n"Covers 4 West, ICU","Dr. ""Sam"" Ahmed"\r\n"two\r\nlines",x\r\nlast,"",\r\n';
    const { records, problems } = readCsv(text);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['notes', 'who'] },
      { line: 2, fields: ['Covers 4 West, ICU', 'Dr. "Sam" Ahmed'] },
      { line: 3, fields: ['two\r\nlines', 'x'] },
      { line: 5, fields: ['last', '', ''] },
    ]);
  });

  it('drops a byte order mark and reads a last record without a line break', () => {
    const { records } = readCsv('\ufeffassignment,person\nicu,p-okafor');
    expect(records.map((r) => r.fields)).toEqual([
      ['assignment', 'person'],
      ['icu', 'p-okafor'],
    ]);
  });

  it('reports a broken record with its line and keeps reading the others', () => {
    const { records, problems } = readCsv('a,b\nsay "hi",1\n"closed"junk,2\nok,3\n"never closed,4\n');
    expect(records.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['ok', '3'],
    ]);
    expect(problems).toEqual([
      { line: 2, column: 1, message: 'a quote inside a field that does not start with a quote' },
      {
        line: 3,
        column: 1,
        message: 'text after a closing quote (write "" for a quote inside a quoted field)',
      },
      { line: 5, column: 1, message: 'a quoted field is never closed' },
    ]);
  });

  it('names the field of a problem and counts CRLF inside a quoted field as one line', () => {
    const text = 'unit,beds,notes\r\n4W,"401-A\r\n401-B",x\r\n\r\n4E,402,say "hi"\r\n5W,"501"\r\n';
    const { records, problems } = readCsv(text);
    expect(records).toEqual([
      { line: 1, fields: ['unit', 'beds', 'notes'] },
      { line: 2, fields: ['4W', '401-A\r\n401-B', 'x'] },
      { line: 6, fields: ['5W', '501'] },
    ]);
    expect(problems).toEqual([
      { line: 5, column: 3, message: 'a quote inside a field that does not start with a quote' },
    ]);
  });

  it('ends records at a lone CR too, trims blanks around fields and skips whitespace-only lines', () => {
    const { records, problems } = readCsv('person, role \r  \t \r "rn-a" ,\t"charge, 4W"\rrn-b,"  kept  "');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['person', 'role'] },
      { line: 3, fields: ['rn-a', 'charge, 4W'] },
      { line: 4, fields: ['rn-b', '  kept  '] },
    ]);
  });

  it('goes on at the next line after a broken multi-line record and counts lines in a long file', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `p-${i},"line one\nline two"`);
    const text = ['person,notes', '"broken"x,"spans', 'two lines"', ...rows].join('\n');
    const { records, problems } = readCsv(text);
    expect(problems.map((p) => p.line)).toEqual([2, 3]);
    expect(records.length).toBe(5001);
    expect(records[5000]).toEqual({ line: 4 + 2 * 4999, fields: ['p-4999', 'line one\nline two'] });
  });

  it('reads an empty file, or one holding only a byte order mark, as no records', () => {
    expect(readCsv('')).toEqual({ records: [], problems: [] });
    expect(readCsv('\ufeff\r\n')).toEqual({ records: [], problems: [] });
  });
});
