/**
 * The schedule backup (CSV and XLSX, the XLSX read back by openpyxl, an independent reader) and the
 * data-warehouse zip (read back by Python's zipfile), on the fall-back day.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCsv } from '../../../src/kit/csv.ts';
import { ExportBench, firstSchedule, secondSchedule } from './export-hospital.ts';
import { expectGolden } from './golden.ts';

/** Debian's python3 (with python3-openpyxl) before whatever python3 is first on the PATH. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasOpenpyxl = (() => {
  try {
    execFileSync(python, ['-c', 'import openpyxl']);
    return true;
  } catch {
    return false;
  }
})();

let bench: ExportBench;

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
});

afterEach(async () => {
  await bench.close();
});

describe('schedule backup', () => {
  const yaml = `
connectors:
  - id: backup
    kind: schedule-backup
    target: OUT
    window: { daysBack: 0, daysForward: 3 }
    cadence: every 10 minutes
    include: { placeholders: true, notes: true }
`;

  it('writes today and the next three days as CSV, grouped by assignment', async () => {
    expect(await bench.run(bench.settings(yaml), new Date('2026-11-01T14:00:00Z'))).toMatch(/5 rows/);
    expectGolden('schedule-backup.csv', bench.read('schedule_backup_20261101_0900.csv'));
  });

  it.skipIf(!hasOpenpyxl)(
    'writes an XLSX that openpyxl reads as the same cells, each assignment under its name',
    async () => {
      await bench.run(bench.settings(yaml), new Date('2026-11-01T14:00:00Z'));
      const csv = readCsv(bench.read('schedule_backup_20261101_0900.csv').toString('utf8')).records.map(
        (r) => r.fields,
      );
      const out = execFileSync(
        python,
        [
          join(import.meta.dirname, '../../peers/xlsx_rows.py'),
          join(bench.out, 'schedule_backup_20261101_0900.xlsx'),
        ],
        {
          encoding: 'utf8',
        },
      );
      const book = JSON.parse(out) as { sheet: string; rows: string[][] };
      expect(book.sheet).toBe('Schedule');
      const titles = book.rows.filter((r) => r.filter((c) => c !== '').length === 1).map((r) => r[0]);
      expect(titles).toEqual(['Anesthesia OR', 'Cardiology on call', 'Hospitalist']);
      const data = book.rows
        .filter((r) => r.filter((c) => c !== '').length > 1)
        .map((r) => r.concat(Array(csv[0].length - r.length).fill('')));
      expect(data).toEqual(csv);
    },
  );
});

describe('data-warehouse zip', () => {
  it('holds one CSV per table with its documented columns; the change log of the window', async () => {
    await bench.seed(secondSchedule, new Date('2026-11-01T13:30:00Z'));
    const s = bench.settings(`
connectors:
  - id: edw
    kind: data-warehouse
    target: OUT
    window: { daysBack: 1, daysForward: 7 }
    cadence: daily at 01:00
`);
    expect(await bench.run(s, new Date('2026-11-01T14:00:00Z'))).toMatch(
      /data_warehouse_20261101\.zip: full file/,
    );
    const listing = execFileSync(
      python,
      [
        '-c',
        'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))',
        join(bench.out, 'data_warehouse_20261101.zip'),
      ],
      { encoding: 'utf8' },
    );
    const entries = JSON.parse(listing) as Record<string, string>;
    expect(Object.keys(entries)).toEqual([
      'schedules.csv',
      'assignments.csv',
      'personnel.csv',
      'change_log.csv',
      'view_settings.csv',
    ]);
    for (const [name, text] of Object.entries(entries))
      expectGolden(`data-warehouse/${name}`, Buffer.from(text));
  });
});
