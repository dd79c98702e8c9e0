import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function hospital(clock: ManualClock, options: Parameters<typeof writeBehaviourHospital>[0] = {}) {
  const configDir = await writeBehaviourHospital(options);
  const sb = await startTestSwitchboard({ configDir, clock, cycle: false });
  running.push(sb);
  return sb;
}

async function device(sb: TestSwitchboard, username: string) {
  const d = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, username), username);
  devices.push(d);
  return d;
}

async function send(sb: TestSwitchboard, ...messages: string[]) {
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  for (const m of messages) expect(await client.send(m)).toContain('MSA|AA|');
  await client.close();
  await sb.settled();
}

describe('routing, behaviour', () => {
  it('on the 25-hour day the handoff follows the local clock (07:00 EST, not EDT)', async () => {
    const clock = new ManualClock('2026-11-01T11:30:00Z'); // 06:30 EST, after the clocks fell back
    const sb = await hospital(clock, {
      shifts: `    - { assignment: hospitalist, person: p-one, start: '2026-10-31 07:00', end: '2026-11-01 07:00' }
    - { assignment: hospitalist, person: p-two, start: '2026-11-01 07:00', end: '2026-11-02 07:00' }`,
    });
    await send(sb, result('2823-3', 'LL', '2.1', 'DST-1'));
    clock.set('2026-11-01T12:30:00Z'); // 07:30 EST
    await send(sb, result('2823-3', 'LL', '2.2', 'DST-2'));
    const alerts = (await sb.store.alerts.list({})).reverse();
    const first = await sb.store.alerts.recipients(alerts[0].id);
    const second = await sb.store.alerts.recipients(alerts[1].id);
    expect(first.map((r) => r.personId)).toEqual(['p-one']);
    expect(second.map((r) => r.personId)).toEqual(['p-two']);
    // A 25-hour shift: 07:00 EDT to 07:00 EST.
    const [shift] = await sb.store.schedules.shiftsAt('hospitalist', new Date('2026-10-31T12:00:00Z'));
    expect((shift.end.getTime() - shift.start.getTime()) / 3600_000).toBe(25);
  });

  it('collects a batching rule for its window and sends one digest', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const sb = await hospital(clock);
    const nurse = await device(sb, 'rn.day');
    await send(sb, result('2823-3', 'A', '3.4'), result('2951-2', 'A', '131'));
    clock.advance(4);
    await send(sb, result('2345-7', 'A', '180'));
    await sb.routing.tick();
    expect(await sb.store.alerts.list({})).toHaveLength(0); // still collecting
    clock.advance(6);
    await sb.routing.tick();
    const digest = await nurse.waitForAlert();
    expect(digest.title).toBe('3 × Abnormal Potassium');
    expect(digest.priority).toBe('low');
    const messages = await sb.store.messages.list({});
    expect(messages.items.every((m) => m.status === 'routed')).toBe(true);
  });

  it('a repeat of the same result within the dedup window updates the open alert', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const rules = `rules:
  - id: critical
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL] } ] }
    recipients: [ { onCall: hospitalist, order: first } ]
    dedupKey: "{{PID-3.1}}-{{OBX-3.1}}"
    dedupWindowMinutes: 30
    title: "Critical {{OBX-3.2}} {{OBX-5}}"
`;
    const sb = await hospital(clock, { rules });
    const one = await device(sb, 'dr.one');
    await send(sb, result('2823-3', 'LL', '2.7'));
    clock.advance(10);
    await send(sb, result('2823-3', 'LL', '2.5'));
    const alerts = await sb.store.alerts.list({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0].title).toBe('Critical Potassium 2.5');
    await one.waitForAlert((a) => a.title === 'Critical Potassium 2.5');
    expect((await sb.store.alerts.timeline(alerts[0].id)).map((e) => e.kind)).toContain('updated');
    clock.advance(31);
    await send(sb, result('2823-3', 'LL', '2.4'));
    expect(await sb.store.alerts.list({})).toHaveLength(2); // outside the window: a new alert
  });

  it('a filter rule drops a test patient: no alert, message filtered', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const rules = `rules:
  - id: test-patients
    filter: true
    match: { fields: [ { path: PID-5.1, equals: DOE } ] }
  - id: critical
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL] } ] }
    recipients: [ { onCall: hospitalist, order: first } ]
`;
    const sb = await hospital(clock, { rules });
    await send(sb, result('2823-3', 'LL'));
    expect(await sb.store.alerts.list({})).toHaveLength(0);
    const [m] = (await sb.store.messages.list({})).items;
    expect(m).toMatchObject({ status: 'filtered', statusDetail: 'rule test-patients' });
  });

  it('rules reload during traffic: every message routed, none lost, new rules take over', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const sb = await hospital(clock);
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    const before = sb.routing.rules().version;
    const file = join(sb.configDir, 'rules', 'rules.yaml');
    for (let i = 0; i < 300; i++) {
      if (i === 100) {
        writeFileSync(
          file,
          `rules:\n  - id: renamed\n    match: { type: ORU }\n    recipients: [ { onCall: hospitalist, order: first } ]\n    title: "Reloaded {{OBX-5}}"\n`,
        );
      }
      expect(await client.send(result('2823-3', 'N', String(i), `RL-${i}`))).toContain('MSA|AA|');
      if (i === 100) {
        for (let t = 0; t < 100 && sb.routing.rules().version === before; t++)
          await new Promise((r) => setTimeout(r, 20));
      }
    }
    await client.close();
    await sb.settled();
    expect(sb.routing.rules().version).not.toBe(before);
    const { items, total } = await sb.store.messages.list({ limit: 1000 });
    expect(total).toBe(300);
    expect(items.filter((m) => m.status === 'received' || m.status === 'failed')).toEqual([]);
    const alerts = await sb.store.alerts.list({ limit: 1000 });
    expect(alerts.some((a) => a.title.startsWith('Reloaded'))).toBe(true);
    // The last message was routed by the new rules.
    expect(alerts[0].title).toBe('Reloaded 299');
  });

  it('a bad rules edit is refused and the running rules stay', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const sb = await hospital(clock);
    const before = sb.routing.rules().version;
    writeFileSync(
      join(sb.configDir, 'rules', 'rules.yaml'),
      'rules:\n  - id: broken\n    match: { type: ORU, fields: [ { path: NOT-A-PATH, equals: x } ] }\n',
    );
    const token = await signIn(sb.httpUrl, 'analyst');
    const res = await fetch(`${sb.httpUrl}/api/rules/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors[0]).toMatchObject({ file: 'rules/rules.yaml', line: 3 });
    expect(sb.routing.rules().version).toBe(before);
  });
});
