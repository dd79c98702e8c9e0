import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads plain fields with CRLF or LF record ends and skips blank lines', () => {
    const { records, problems } = parseCsv('a,b,c\r\n1,2,3\n\n4,,6\n');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
      { line: 4, fields: ['4', '', '6'] },
    ]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks, counting lines', () => {
    const text = 'notes,who\r\n"Covers 4 West, ICU","Dr. ""Sam"" Ahmed"\r\n"two\r\nlines",x\r\nlast,"",\r\n';
    const { records, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['notes', 'who'] },
      { line: 2, fields: ['Covers 4 West, ICU', 'Dr. "Sam" Ahmed'] },
      { line: 3, fields: ['two\r\nlines', 'x'] },
      { line: 5, fields: ['last', '', ''] },
    ]);
  });

  it('drops a byte order mark and reads a last record without a line break', () => {
    const { records } = parseCsv('\ufeffassignment,person\nicu,p-okafor');
    expect(records.map((r) => r.fields)).toEqual([
      ['assignment', 'person'],
      ['icu', 'p-okafor'],
    ]);
  });

  it('reports a broken record with its line and keeps reading the others', () => {
    const { records, problems } = parseCsv('a,b\nsay "hi",1\n"closed"junk,2\nok,3\n"never closed,4\n');
    expect(records.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['ok', '3'],
    ]);
    expect(problems).toEqual([
      { line: 2, message: 'a quote inside a field that does not start with a quote' },
      { line: 3, message: 'text after a closing quote (write "" for a quote inside a quoted field)' },
      { line: 5, message: 'a quoted field is never closed' },
    ]);
  });
});
