import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

/**
 * A hospital in Sydney on the day its clocks go forward (Sunday 4 October 2026, 02:00 → 03:00 AEDT): the
 * night hospitalists work 19:00–07:00 across the change, then nobody is on until the 09:00 day shift.
 */
const SHIFTS = `    - { assignment: hospitalist, person: p-one, start: '2026-10-03 19:00', end: '2026-10-04 07:00', callOrder: 1 }
    - { assignment: hospitalist, person: p-two, start: '2026-10-03 19:00', end: '2026-10-04 07:00', callOrder: 2 }
    - { assignment: hospitalist, person: p-one, start: '2026-10-04 09:00', end: '2026-10-04 19:00', callOrder: 1 }
    - { assignment: supervisor, person: p-sup, start: '2026-10-03 07:00', end: '2026-10-05 07:00' }`;

const running: TestSwitchboard[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function sydneyHospital(clock: ManualClock) {
  const configDir = await writeBehaviourHospital({ shifts: SHIFTS });
  const file = join(configDir, 'switchboard.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace(/^ {2}timezone: .*\n/m, '')
      .replace(/^site:\n/m, 'site:\n  timezone: Australia/Sydney\n'),
  );
  const sb = await startTestSwitchboard({ configDir, clock, cycle: false });
  running.push(sb);
  return sb;
}

async function send(sb: TestSwitchboard, message: string) {
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  expect(await client.send(message)).toContain('MSA|AA|');
  await client.close();
  await sb.settled();
}

const timeline = async (sb: TestSwitchboard, alertId: number) =>
  (await sb.store.alerts.timeline(alertId)).map((e) => ({
    what: `${e.kind}${e.personId ? `:${e.personId}` : ''}`,
    detail: e.detail,
  }));

describe('timeline reasons in the hospital words and local time', () => {
  it('names the assignment, call order and local shift hours', async () => {
    const clock = new ManualClock('2026-10-03T18:00:00Z'); // 05:00 AEDT, after the clocks went forward
    const sb = await sydneyHospital(clock);
    await send(sb, result('2823-3', 'LL'));
    const [alert] = await sb.store.alerts.list({});
    const recipients = await sb.store.alerts.recipients(alert.id);
    expect(recipients.map((r) => [r.personId, r.reason])).toEqual([
      ['p-one', 'on call for Hospitalist, first call, 19:00–07:00'],
    ]);
    clock.advance(2);
    await sb.routing.tick();
    const events = await timeline(sb, alert.id);
    expect(events.find((e) => e.what === 'notified:p-two')?.detail).toBe(
      'on call for Hospitalist, second call, 19:00–07:00',
    );
  });

  it('a step that finds nobody says nobody is on call, when, and the gap in the schedule', async () => {
    const clock = new ManualClock('2026-10-03T20:30:00Z'); // 07:30 AEDT, between the night and day shifts
    const sb = await sydneyHospital(clock);
    await send(sb, result('2823-3', 'LL'));
    const [alert] = await sb.store.alerts.list({});
    const skipped = (await timeline(sb, alert.id)).filter((e) => e.what === 'skipped').map((e) => e.detail);
    expect(skipped[0]).toMatch(
      /^step 1 of policy critical notified nobody: nobody on call for Hospitalist at 2026-10-04 07:30 (AEDT|GMT\+11): a gap in the schedule from 07:00 until 09:00, when the next shift starts$/,
    );
    expect(skipped[1]).toMatch(/nobody on call for Hospitalist as second call at 2026-10-04 07:30 /);
    expect(skipped.join(' ')).not.toMatch(/already notified/);
  });

  it('a rule without a policy names the assignment that was empty', async () => {
    const clock = new ManualClock('2026-10-03T20:30:00Z');
    const sb = await sydneyHospital(clock);
    await send(sb, result('TROP', 'N', '0.9')); // cardiology has no shifts at all
    const [alert] = await sb.store.alerts.list({});
    const events = await timeline(sb, alert.id);
    const skipped = events.find((e) => e.what === 'skipped')?.detail ?? '';
    expect(skipped).toMatch(/notified nobody: nobody on call for Cardiology at 2026-10-04 07:30 /);
    expect(skipped).toMatch(/no shift in the schedule around this time/);
    expect(skipped).not.toMatch(/already notified/);
    expect(events.map((e) => e.what)).toContain('failsafe');
  });
});
