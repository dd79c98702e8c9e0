import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { startSwitchboard } from '../../src/main.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { pcd04 } from '../../src/routing/sources/pcd-fixtures.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { alarmHospital, device, eventually, field, reports, send } from './pcd-harness.ts';

/**
 * Each phase path of IHE DEV TF-2 table B.8.5-4 from a Rev. 10 reporter: the onset names the alert in
 * OBR-3, every later message has an OBR-3 of its own and the onset's in OBR-29.2. Each path must give
 * exactly one alert, in the state the path ends in; every PCD-05 is checked by the harness's validator.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Message n of alarm `onset`: the onset itself (n = 0) or a follow-up with its own OBR-3. */
function phase(onset: string, n: number, name: string, more: Partial<Parameters<typeof pcd04>[0]> = {}) {
  return pcd04({
    controlId: `${onset}-${n}`,
    alertId: n === 0 ? onset : `${onset}.${n}`,
    ...(n === 0 ? {} : { parentId: onset }),
    phase: name,
    ...more,
  });
}

async function only(h: Awaited<ReturnType<typeof alarmHospital>>) {
  const alerts = await h.sb.store.alerts.list({});
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
}

describe('IHE PCD phase paths (Rev. 10 identity)', () => {
  it('start → escalate → end: one alert, raised in priority, then closed', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('A1', 0, 'start', { priority: 'PM', value: '87' }));
    const raised = await nurse.waitForAlert();
    await send(h.sb, phase('A1', 1, 'escalate', { priority: 'PH', value: '81' }));
    const escalated = await only(h);
    expect(escalated.priority).toBe('urgent');
    expect(escalated.title).toContain(' 81 ');
    expect(escalated.context.pcd).toMatchObject({ controlId: 'A1-0', phase: 'escalate' });
    await send(h.sb, phase('A1', 2, 'end', { state: 'inactive' }));
    const ended = await only(h);
    expect(ended.id).toBe(raised.id);
    expect(ended.status).toBe('closed');
    // The device had said "delivered"; nobody answered before the end: DELIVERED, then CANCELLED.
    const sent = await reports(h, 2);
    expect(sent.map((m) => field(m, 'PRT', 3))).toEqual([
      'RESPONSE^DELIVERED^IHE_PCD_ACM',
      'RESPONSE^CANCELLED^IHE_PCD_ACM',
    ]);
    for (const m of sent) {
      expect(field(m, 'MSA', 2)).toBe('A1-0');
      expect(field(m, 'OBR', 29)).toBe('^A1&MONITOR_GW&0012210000000001&EUI-64');
    }
  });

  it('start → stop → continue → end: stop pauses (the alert stays open), end closes it', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('B1', 0, 'start'));
    await nurse.waitForAlert();
    await send(h.sb, phase('B1', 1, 'stop', { state: 'inactive' }));
    const paused = await only(h);
    expect(paused.status).toBe('open');
    expect(paused.body).toContain('paused at the device');
    await send(h.sb, phase('B1', 2, 'continue'));
    const resumed = await only(h);
    expect(resumed.status).toBe('open');
    expect(resumed.body).not.toContain('paused');
    await send(h.sb, phase('B1', 3, 'end', { state: 'inactive' }));
    expect((await only(h)).status).toBe('closed');
    const details = (await h.sb.store.messages.list({})).items
      .sort((a, b) => a.id - b.id)
      .map((m) => m.statusDetail);
    expect(details).toEqual([
      `alert ${paused.id}`,
      `alert ${paused.id} updated (stop)`,
      `alert ${paused.id} updated (continue)`,
      `alert ${paused.id} closed (end)`,
    ]);
  });

  it('start_only: one alert that no end is awaited for; it stays until a clinician answers', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('C1', 0, 'start_only'));
    const alert = await nurse.waitForAlert();
    expect((await only(h)).status).toBe('open');
    await nurse.answer('accept', alert.id);
    const final = await only(h);
    expect(final.status).toBe('acknowledged');
    const sent = await reports(h, 2);
    expect(sent.map((m) => field(m, 'PRT', 3))).toEqual([
      'RESPONSE^DELIVERED^IHE_PCD_ACM',
      'RESPONSE^ACCEPTED^IHE_PCD_ACM',
    ]);
  });

  it('tpoint: a time-point event raises one alert; the same report again (present) adds none', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('D1', 0, 'tpoint'));
    await nurse.waitForAlert();
    // A reporter refreshing its list after a restart sends the alert as present, with the same OBR-3.
    await send(h.sb, pcd04({ controlId: 'D1-R', alertId: 'D1', phase: 'present' }));
    const final = await only(h);
    expect(final.status).toBe('open');
    expect(final.context.pcd).toMatchObject({ controlId: 'D1-0', phase: 'present' });
  });

  it('inactivate, acknowledged and deescalate update the one alert; reset closes it', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('E1', 0, 'start', { priority: 'PH' }));
    await nurse.waitForAlert();
    await send(h.sb, phase('E1', 1, 'inactivate', { priority: 'PH', inactivation: 'audio-paused' }));
    expect((await only(h)).body).toContain('audio-paused');
    await send(h.sb, phase('E1', 2, 'acknowledged', { priority: 'PH', inactivation: 'alert-acknowledged' }));
    expect((await only(h)).body).toContain('acknowledged at the device');
    await send(h.sb, phase('E1', 3, 'deescalate', { priority: 'PL' }));
    expect((await only(h)).priority).toBe('normal');
    await send(h.sb, phase('E1', 4, 'reset', { state: 'inactive' }));
    expect((await only(h)).status).toBe('closed');
  });
});

describe('PCD-05: what a reporter asked for, and when nobody can be reached', () => {
  it('the status filter OBX limits PCD-05 to the statuses it names', async () => {
    const h = await alarmHospital(cleanups);
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('F1', 0, 'start', { statusFilter: ['ACCEPTED'] }));
    const alert = await nurse.waitForAlert();
    await eventually(
      async () => (await h.sb.store.alerts.recipients(alert.id)).find((r) => r.state === 'delivered'),
      'delivered',
    );
    await nurse.answer('accept', alert.id);
    const [accepted] = await reports(h, 1);
    expect(field(accepted!, 'PRT', 3)).toBe('RESPONSE^ACCEPTED^IHE_PCD_ACM');
    expect(await h.sb.outbound.outbox.list({ channel: 'pcd-status' })).toHaveLength(1);
  });

  it('RECEIVED when the reporter lists it, once per person notified', async () => {
    const h = await alarmHospital(cleanups, {
      reporters: [{ application: 'MONITOR_GW', statuses: ['received', 'accepted'] }],
    });
    const nurse = await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('G1', 0, 'start'));
    const alert = await nurse.waitForAlert();
    await nurse.answer('accept', alert.id);
    const sent = await reports(h, 2);
    expect(sent.map((m) => field(m, 'PRT', 3))).toEqual([
      'RESPONSE^RECEIVED^IHE_PCD_ACM',
      'RESPONSE^ACCEPTED^IHE_PCD_ACM',
    ]);
    expect(field(sent[0]!, 'PRT', 5)).toBe('rn-day^Nurse^Day');
  });

  it('UNDELIVERABLE when every step and the failsafe find nobody', async () => {
    // Cardiology has nobody on call in the behaviour hospital.
    const h = await alarmHospital(cleanups, {
      rules: `rules:
  - id: pcd-cardiology
    match: { type: ORU, trigger: R40 }
    recipients: [ { onCall: cardiology } ]
    escalation: cardiology-only
escalationPolicies:
  - id: cardiology-only
    steps:
      - { delayMinutes: 0, targets: [ { recipients: rule } ] }
    failsafe: { onCall: cardiology }
`,
    });
    await send(h.sb, phase('H1', 0, 'start'));
    const [m] = await reports(h, 1);
    expect(field(m!, 'PRT', 3)).toBe('RESPONSE^UNDELIVERABLE^IHE_PCD_ACM');
    expect(field(m!, 'MSA', 2)).toBe('H1-0');
    const timeline = await h.sb.store.alerts.timeline((await only(h)).id);
    expect(timeline.find((e) => e.kind === 'failsafe')?.detail).toContain('failsafe notified: nobody');
  });

  it('a retry gets a new MSH-7 and MSH-10 and is otherwise the same message (CP-PCD-157)', async () => {
    const h = await alarmHospital(cleanups);
    h.reporter.ackCode = 'AE';
    await device(h.sb, 'rn.day', cleanups);
    await send(h.sb, phase('K1', 0, 'start'));
    const [first] = await reports(h, 1);
    h.reporter.ackCode = 'AA';
    h.clock.advance(1); // past the first retry delay (1 s)
    await h.sb.outbound.worker.runDue();
    const [, second] = await h.reporter.waitFor(2);
    const [a, b] = [first!.split('\r'), second!.split('\r')];
    expect(b.slice(1)).toEqual(a.slice(1));
    expect(field(second!, 'MSH', 10)).not.toBe(field(first!, 'MSH', 10));
    expect(field(second!, 'MSH', 7)).toBe('20261122143100+0000');
    expect(field(first!, 'MSH', 7)).toBe('20261122143000+0000');
    const mshWithout = (m: string) =>
      m
        .split('\r')[0]!
        .split('|')
        .filter((_, i) => i !== 6 && i !== 9);
    expect(mshWithout(second!)).toEqual(mshWithout(first!));
    const [sent] = await h.sb.outbound.outbox.list({ channel: 'pcd-status' });
    expect(sent?.state).toBe('sent');
  });
});

describe('a reporter moved from legacy to rev10 while an alarm is open', () => {
  it('the alarm raised under the older identity is still found and closed', async () => {
    const reporterLine = (profile: string) =>
      `pcd:\n  reporters:\n    - { application: MONITOR_GW, host: 127.0.0.1, port: 9, profile: ${profile} }\n`;
    const configDir = await writeBehaviourHospital();
    const sw = join(configDir, 'switchboard.yaml');
    const base = readFileSync(sw, 'utf8');
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-pcd-upgrade-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
    const clock = new ManualClock('2026-11-22T14:30:00Z');

    writeFileSync(sw, base + reporterLine('legacy'));
    const before = await startSwitchboard({
      configDir,
      dataDir,
      env: {},
      log: pino({ level: 'silent' }),
      clock,
      cycle: false,
    });
    await sendTo(before.mllp!.port, phase('U1', 0, 'start'));
    await before.ingested();
    await before.routing.router.drained();
    await before.stop();

    writeFileSync(sw, base + reporterLine('rev10'));
    const after = await startSwitchboard({
      configDir,
      dataDir,
      env: {},
      log: pino({ level: 'silent' }),
      clock,
      cycle: false,
    });
    cleanups.push(() => after.stop());
    await sendTo(after.mllp!.port, phase('U1', 1, 'end', { state: 'inactive' }));
    await after.ingested();
    await after.routing.router.drained();
    const alerts = await after.store.alerts.list({});
    expect(alerts.map((a) => a.status)).toEqual(['closed']);
  });
});

async function sendTo(port: number, message: string) {
  const client = new MllpClient({ host: '127.0.0.1', port });
  await client.connect();
  expect(await client.send(message)).toMatch(/MSA\|[AC]A\|/);
  await client.close();
}
