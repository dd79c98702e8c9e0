/**
 * Full, then deltas (Kronos / UKG Workforce Dimensions per pay period, New Innovations): the first file
 * holds everything, a later file exactly the changes since the last delivered file, also after a
 * restart; a failed delivery leaves the base where it was; a new pay period starts full again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetError } from '../../../src/connectors/errors.ts';
import { ExportBench, firstSchedule, secondSchedule } from './export-hospital.ts';
import { expectGolden } from './golden.ts';

let bench: ExportBench;

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
});

afterEach(async () => {
  await bench.close();
});

const wfd = `
connectors:
  - id: ukg
    kind: kronos-wfd
    target: OUT
    personId: employeeId
    cadence: daily at 02:00
    options:
      payPeriod: { anchor: '2026-10-25', days: 14 }
      laborCategoryDelimiter: ';'
      actions: { add: ADD, change: UPDATE, delete: DELETE }
      assignmentFields:
        cardiology-oncall: { segmentType: Required, payCodeEdit: ON CALL, openShift: true, laborCategories: [Cardiology, Call Pool], comment: Schedule import }
        hospitalist: { segmentType: Required, costCenterTransfer: '5120', businessStructure: 'Hospital/Medicine/Hospitalist', comment: Schedule import }
        anesthesia-or: { segmentType: Transfer, workRuleTransfer: OR 12h, comment: Schedule import }
`;

describe('Kronos / UKG Workforce Dimensions', () => {
  it('sends the pay period full, then after a restart only what changed, then full again in the next period', async () => {
    const s = bench.settings(wfd);
    expect(await bench.run(s, new Date('2026-11-01T07:00:00Z'))).toMatch(/full file, 5 rows/);
    expectGolden('kronos-wfd-1-full.csv', bench.read('kronos_wfd_20261101.csv'));

    // Nothing changed: the next day's file has its header only.
    expect(await bench.run(s, new Date('2026-11-02T07:00:00Z'))).toMatch(/delta file, 0 rows/);

    await bench.seed(secondSchedule, new Date('2026-11-02T12:00:00Z'));
    await bench.restart();
    expect(await bench.run(bench.settings(wfd), new Date('2026-11-03T07:00:00Z'))).toMatch(
      /delta file, 3 rows/,
    );
    // s2 now Chen's (UPDATE), s9 added (ADD), s5 deleted (DELETE, repeating what was sent); s4's new notes
    // are no field of this export, so they make no line.
    expectGolden('kronos-wfd-2-delta.csv', bench.read('kronos_wfd_20261103.csv'));

    expect(await bench.run(s, new Date('2026-11-08T07:00:00Z'))).toMatch(/full file, 1 rows/);
    expectGolden('kronos-wfd-3-next-period.csv', bench.read('kronos_wfd_20261108.csv'));
  });

  it('keeps the last delivered base when a delivery fails, so the next file still has the changes', async () => {
    await bench.run(bench.settings(wfd), new Date('2026-11-01T07:00:00Z'));
    await bench.seed(secondSchedule, new Date('2026-11-02T12:00:00Z'));
    // The folder is not there (a file stands in its place): the delivery fails after the rows were read.
    writeFileSync(join(bench.out, 'blocked'), '');
    const failing = await bench
      .run(
        bench.settings(wfd.replace('target: OUT', 'target: OUT/blocked')),
        new Date('2026-11-03T07:00:00Z'),
      )
      .catch((e) => e);
    expect(failing).toBeInstanceOf(TargetError);
    expect(failing.permanent).toBe(false);
    expect((await bench.store.exportState.lastFile('ukg'))?.mode).toBe('full');
    await bench.restart();
    expect(await bench.run(bench.settings(wfd), new Date('2026-11-03T08:00:00Z'))).toMatch(
      /delta file, 3 rows/,
    );
    expect(bench.read('kronos_wfd_20261103.csv')).toEqual(
      readFileSync(join(import.meta.dirname, '../../fixtures/exports/kronos-wfd-2-delta.csv')),
    );
  });
});

describe('New Innovations duty hours', () => {
  it('sends every published shift first, then only the changed ones, across a restart', async () => {
    const ni = `
connectors:
  - id: ni
    kind: new-innovations
    target: OUT
    personId: uniqueId
    window: { daysBack: 1, daysForward: 10 }
    cadence: daily at 03:00
    include: { notes: true }
    options:
      assignmentFields:
        hospitalist: { dutyHourName: Inpatient Medicine, assignmentName: Hospitalist Day, location: Main Campus, notes: 'Resident duty' }
        cardiology-oncall: { dutyHourName: Cardiology Call }
`;
    expect(await bench.run(bench.settings(ni), new Date('2026-11-01T08:00:00Z'))).toMatch(
      /full file, 4 rows/,
    );
    expectGolden('new-innovations-1-full.csv', bench.read('new_innovations_20261101.csv'));
    await bench.seed(secondSchedule, new Date('2026-11-02T12:00:00Z'));
    await bench.restart();
    expect(await bench.run(bench.settings(ni), new Date('2026-11-02T08:00:00Z'))).toMatch(
      /delta file, 3 rows/,
    );
    expectGolden('new-innovations-2-delta.csv', bench.read('new_innovations_20261102.csv'));
  });
});
