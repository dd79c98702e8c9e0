import { describe, expect, it } from 'vitest';
import { readCsvTable } from './coverage-csv.ts';

describe('readCsvTable', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, keeping each row start line', () => {
    const text =
      '\ufeffPerson,Role,Unit,Beds\r\nrn-a,nurse,4W,"401-A, 401-B"\r\n"rn-""b""",nurse,4W,"402-A\n402-B"\r\n\r\nrn-c,tech,4W,\r\n';
    const table = readCsvTable(text);
    expect(table.header).toEqual(['person', 'role', 'unit', 'beds']);
    expect(table.problems).toEqual([]);
    expect(table.rows.map((r) => [r.line, r.values.get('person'), r.values.get('beds')])).toEqual([
      [2, 'rn-a', '401-A, 401-B'],
      [3, 'rn-"b"', '402-A\n402-B'],
      [6, 'rn-c', ''],
    ]);
  });

  it('accepts bare LF line ends and a last line without one; short rows get empty values', () => {
    const table = readCsvTable('person,role,unit\nrn-a,nurse');
    expect(table.rows).toEqual([
      {
        line: 2,
        values: new Map([
          ['person', 'rn-a'],
          ['role', 'nurse'],
          ['unit', ''],
        ]),
      },
    ]);
  });

  it('reports a row with more fields than the header and an unclosed quote', () => {
    const table = readCsvTable('person,role\na,b,c\n"never closed,x\n');
    expect(table.problems).toEqual([
      { line: 3, key: 'person', message: 'a quoted field is never closed' },
      { line: 2, key: '', message: 'has 3 fields but the header names 2' },
    ]);
  });

  it('gives an empty table for an empty file', () => {
    expect(readCsvTable('')).toEqual({ header: [], headerLine: 1, rows: [], problems: [] });
  });
});
