import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';

const running: TestSwitchboard[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function hospital(clock: ManualClock, configDir: string, dataDir: string) {
  const sb = await startTestSwitchboard({ configDir, dataDir, clock, cycle: false });
  running.push(sb);
  return sb;
}

const warnings = async (sb: TestSwitchboard) =>
  (await sb.store.alerts.list({ limit: 100 })).filter((a) => a.ruleId === 'coverage-gap-warning');

describe('coverage gap warning', () => {
  it('tells the failsafe group an hour before an assignment has nobody on call, once per gap, even across a restart', async () => {
    // The hospitalist and supervisor shifts end at 07:00 New York time on 2026-11-23 (12:00 UTC); nobody
    // follows them. Cardiology has never had a shift: /api/coverage lists it, the warning does not.
    const configDir = await writeBehaviourHospital();
    const sw = join(configDir, 'switchboard.yaml');
    writeFileSync(sw, `${readFileSync(sw, 'utf8')}  coverageWarningMinutes: 60\n`);
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-gap-'));
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const first = await hospital(clock, configDir, dataDir);

    await first.routing.tick();
    expect(await warnings(first)).toEqual([]); // the gap is a day away

    clock.set('2026-11-23T11:05:00Z'); // 55 minutes before it
    await first.routing.tick();
    const told = await warnings(first);
    expect(told.map((a) => a.title).sort()).toEqual([
      'Nobody on call for Hospitalist from 2026-11-23 07:00 EST',
      'Nobody on call for House supervisor from 2026-11-23 07:00 EST',
    ]);
    for (const alert of told) {
      expect((await first.store.alerts.recipients(alert.id)).map((r) => r.personId)).toEqual(['p-op']);
    }

    clock.set('2026-11-23T11:30:00Z');
    await first.routing.tick();
    expect(await warnings(first)).toHaveLength(2);
    await first.stop();
    running.splice(0);

    // A new process on the same data, inside the gap now: it does not warn again.
    clock.set('2026-11-23T12:10:00Z');
    const second = await hospital(clock, configDir, dataDir);
    await second.routing.tick();
    expect(await warnings(second)).toHaveLength(2);
  });
});
