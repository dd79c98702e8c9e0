/**
 * Every export's shipped layout, byte for byte against its golden file, on a schedule around the
 * fall-back night (a 13-hour night shift) and across a pay-period boundary.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportBench, firstSchedule } from './export-hospital.ts';
import { expectGolden } from './golden.ts';
import { epicOnCallFinderConfig, epicOpTimeConfig } from './layout-configs.ts';

const dstSunday = new Date('2026-11-01T14:00:00Z'); // 09:00 EST on the fall-back day
const nextPeriod = new Date('2026-11-08T15:00:00Z'); // 10:00 EST, first day of the next pay period

let bench: ExportBench;

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
});

afterEach(async () => {
  await bench.close();
});

const kronosOptions = `
      payPeriod: { anchor: '2026-10-25', days: 14 }`;

describe('golden files of the shipped layouts', () => {
  it('Epic On Call Finder: the window with team mapping, placeholders and notes, times in the site zone', async () => {
    const s = bench.settings(epicOnCallFinderConfig);
    const answer = await bench.run(s, dstSunday);
    expect(answer).toMatch(/full file, 4 rows/);
    expectGolden('epic-on-call-finder.csv', bench.read('epic_on_call_20261101_090000.csv'));
  });

  it('Epic OpTime: SER ids from the crosswalk, an OR in another zone, a person without a SER left out', async () => {
    const s = bench.settings(epicOpTimeConfig);
    const answer = await bench.run(s, dstSunday);
    expect(answer).toMatch(/left out 1: p-chen has no epicSer/);
    const [skip] = await bench.store.connectors.log('optime', { limit: 5, outcomes: ['skipped'] });
    expect(skip.summary).toBe('p-chen has no epicSer in the directory');
    expectGolden('epic-optime.csv', bench.read('epic_optime_20261101_0900.csv'));
  });

  it('Kronos WFC: the personnel x assignment type matrix, department ids, home and away COIDs, per pay period', async () => {
    const s = bench.settings(`
connectors:
  - id: kronos-wfc
    kind: kronos-wfc
    target: OUT
    personId: employeeId
    cadence: daily at 02:00
    options:${kronosOptions}
      matrix:
        - { personnelType: Non-Exempt, assignmentTypes: [Call, Shift] }
        - { personnelType: Hourly, assignmentTypes: [Call] }
      assignmentFields:
        cardiology-oncall: { assignmentType: Call, payCode: ON CALL }
        hospitalist: { assignmentType: Shift, payCode: REG }
        anesthesia-or: { assignmentType: Shift, payCode: OR }
      departments:
        Cardiology: { departmentId: '4410', coid: '0931' }
        Medicine: { departmentId: '5120', coid: '0931' }
        Anesthesia: { departmentId: '6100', coid: '0950' }
      personnel:
        p-ahmed: { type: Non-Exempt, homeCoid: '0931', awayCoid: '0950' }
        p-baker: { type: Hourly, homeCoid: '0950', awayCoid: '0931' }
        p-chen: { type: Exempt }
`);
    await bench.run(s, dstSunday);
    expectGolden('kronos-wfc-period-1.csv', bench.read('kronos_wfc_20261101.csv'));
    await bench.run(s, nextPeriod);
    expectGolden('kronos-wfc-period-2.csv', bench.read('kronos_wfc_20261108.csv'));
  });

  it('a site layout: other columns, headers, formats, delimiter, quoting and file name', async () => {
    const s = bench.settings(`
connectors:
  - id: epic-ocf-site
    kind: epic-on-call-finder
    target: OUT
    personId: uniqueId
    window: { daysBack: 0, daysForward: 1 }
    cadence: every 10 minutes
    options:
      assignmentFields:
        cardiology-oncall: { teamId: '1001' }
      layout:
        columns:
          - { field: providerId, header: 'Provider ID' }
          - { field: start, header: 'Start', format: 'M/d/yyyy h:mm a' }
          - { field: end, header: 'End (UTC offset)', format: "yyyy-MM-dd'T'HH:mmZZ" }
          - { field: callOrder }
        delimiter: '|'
        quote: all
        lineEnding: lf
        fileName: '{connector}-{yyyy-MM-dd}.txt'
`);
    await bench.run(s, dstSunday);
    expectGolden('epic-on-call-finder-site-layout.txt', bench.read('epic-ocf-site-2026-11-01.txt'));
  });
});
