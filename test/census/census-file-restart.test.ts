/**
 * Discharge by absence counts the files a patient was missing from across a restart: what a census file
 * import holds (its patients and their misses) is in the store, not in the process that applied the file.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

const censusDir = mkdtempSync(join(tmpdir(), 'sb-census-drop-'));
const dataDir = mkdtempSync(join(tmpdir(), 'sb-census-data-'));
const running: TestSwitchboard[] = [];
afterAll(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
  rmSync(censusDir, { recursive: true, force: true });
});

let fileNo = 0;
function drop(text: string): void {
  const file = join(censusDir, `export-${++fileNo}.csv`);
  writeFileSync(file, text);
  utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
}

async function run(sb: TestSwitchboard): Promise<Record<string, number>> {
  const res = await fetch(`${sb.httpUrl}/api/census-imports/adt-backup/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await signIn(sb.httpUrl, 'analyst')}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { lastCounts: Record<string, number> }).lastCounts;
}

describe('census file import across a restart', () => {
  it('discharges a patient missing from two files in a row, one before and one after the restart', async () => {
    const configDir = await writeBehaviourHospital();
    const sw = join(configDir, 'switchboard.yaml');
    writeFileSync(
      sw,
      `${readFileSync(sw, 'utf8')}censusImports:
  - { id: adt-backup, kind: census-csv, folder: '${censusDir}', settleSeconds: 0, everyMinutes: 600 }
`,
    );
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const first = await startTestSwitchboard({ configDir, dataDir, clock, cycle: false });
    drop('mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,510,B\nC2,BERG,BO,5E,511,A\n');
    expect(await run(first)).toMatchObject({ admittedOrMoved: 2 });
    drop('mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,510,B\n');
    expect(await run(first)).toMatchObject({ discharged: 0, missing: 1 });
    await first.stop();

    const second = await startTestSwitchboard({ configDir, dataDir, clock, cycle: false });
    running.push(second);
    drop('mrn,family,given,unit,room,bed\nC1,ALVAREZ,ANA,5E,510,B\n');
    expect(await run(second)).toMatchObject({ discharged: 1, missing: 0 });
    expect(await second.store.census.activeVisit('C2')).toBeUndefined();
    expect(await second.store.census.activeVisit('C1')).toBeDefined();
  });
});
