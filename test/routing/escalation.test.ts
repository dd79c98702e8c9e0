import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

// 09:30 in New York on 2026-11-22: day shift, everyone on.
const START = '2026-11-22T14:30:00Z';
const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function hospital(
  clock: ManualClock,
  options: Parameters<typeof writeBehaviourHospital>[0] = {},
  dataDir?: string,
) {
  const configDir = await writeBehaviourHospital(options);
  const sb = await startTestSwitchboard({ configDir, dataDir, clock, cycle: false });
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

const kinds = async (sb: TestSwitchboard, alertId: number) =>
  (await sb.store.alerts.timeline(alertId)).map((e) => `${e.kind}${e.personId ? `:${e.personId}` : ''}`);

/** The device's `delivered` receipt travels back over its WebSocket; wait until the server has it. */
async function receiptRecorded(sb: TestSwitchboard, alertId: number, personId: string) {
  for (let i = 0; i < 200; i++) {
    if ((await kinds(sb, alertId)).includes(`delivered:${personId}`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no delivered receipt from ${personId} for alert ${alertId}`);
}

describe('escalation, behaviour', () => {
  it('critical result → first call notified → 2 min silence → second call → acknowledged → nothing more', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const one = await device(sb, 'dr.one');
    const two = await device(sb, 'dr.two');
    const op = await device(sb, 'op');

    await send(sb, result('2823-3', 'LL'));
    const alert = await one.waitForAlert();
    expect(alert).toMatchObject({ title: 'Critical Potassium 2.7', priority: 'urgent' });
    expect(two.alerts().size).toBe(0);
    await receiptRecorded(sb, alert.id, 'p-one');

    clock.advance(1);
    await sb.routing.tick();
    expect(two.alerts().size).toBe(0); // one minute: not yet

    clock.advance(1);
    await sb.routing.tick();
    await two.waitForAlert((a) => a.id === alert.id);
    await receiptRecorded(sb, alert.id, 'p-two');

    const acked = await two.answer('acknowledge', alert.id);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: { personId: 'p-two' } });
    await one.waitForAlert((a) => a.id === alert.id && a.status === 'acknowledged');

    clock.advance(30);
    await sb.routing.tick();
    expect(op.alerts().size).toBe(0); // the failsafe never hears of it
    expect(await kinds(sb, alert.id)).toEqual([
      'received',
      'routed',
      'notified:p-one',
      'delivered:p-one',
      'escalated',
      'notified:p-two',
      'delivered:p-two',
      'acknowledged:p-two',
    ]);
    expect(await sb.store.alerts.timer(alert.id)).toBeUndefined();
  });

  it('a reject moves the escalation on at once', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const one = await device(sb, 'dr.one');
    const two = await device(sb, 'dr.two');
    await send(sb, result('2823-3', 'HH', '6.9'));
    const alert = await one.waitForAlert();
    await one.answer('reject', alert.id);
    await two.waitForAlert((a) => a.id === alert.id); // no clock movement needed
    const timeline = await kinds(sb, alert.id);
    expect(timeline.indexOf('rejected:p-one')).toBeLessThan(timeline.indexOf('notified:p-two'));
  });

  it('when every step is exhausted the failsafe is told: never silence', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const op = await device(sb, 'op');
    await send(sb, result('2823-3', 'LL'));
    clock.advance(2);
    await sb.routing.tick(); // second call
    clock.advance(5);
    await sb.routing.tick(); // wait after last step → failsafe
    const alert = await op.waitForAlert();
    expect(await kinds(sb, alert.id)).toContain('failsafe');
  });

  it('nobody on call: the step is skipped rather than waited out, then the failsafe', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock, {
      shifts:
        "    - { assignment: supervisor, person: p-sup, start: '2026-11-22 07:00', end: '2026-11-23 07:00' }",
    });
    const op = await device(sb, 'op');
    await send(sb, result('2823-3', 'LL'));
    clock.advance(5);
    await sb.routing.tick();
    const alert = await op.waitForAlert();
    const timeline = await kinds(sb, alert.id);
    expect(timeline.filter((k) => k === 'skipped')).toHaveLength(2);
    expect(timeline).toContain('failsafe');
  });

  it('a rule without a policy whose recipients resolve to nobody goes to the site failsafe group', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const op = await device(sb, 'op');
    await send(sb, result('TROP', 'N', '0.9')); // cardiology has no shifts at all
    const alert = await op.waitForAlert();
    expect(alert.title).toBe('Troponin 0.9');
  });

  it('a restart mid-escalation continues on time', async () => {
    const clock = new ManualClock(START);
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-restart-'));
    const first = await hospital(clock, {}, dataDir);
    await send(first, result('2823-3', 'LL'));
    const [alert] = await first.store.alerts.list({});
    await first.stop(); // the process goes away with the escalation pending
    running.splice(running.indexOf(first), 1);

    clock.advance(2);
    const second = await hospital(clock, {}, dataDir);
    const two = await device(second, 'dr.two');
    await second.routing.tick();
    await two.waitForAlert((a) => a.id === alert.id);
  });

  it('a step whose write fails pages nobody and runs whole again, never skipping to the step after', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const two = await device(sb, 'dr.two');
    await send(sb, result('2823-3', 'LL'));
    const [alert] = await sb.store.alerts.list({});
    clock.advance(2);
    // The store refuses the second call's step (a crash, a lost connection): nothing of it may be kept.
    const stepRan = sb.store.alerts.stepRan;
    sb.store.alerts.stepRan = async () => {
      throw new Error('connection lost');
    };
    await sb.routing.tick();
    expect(await kinds(sb, alert.id)).not.toContain('notified:p-two');
    expect(two.alerts().size).toBe(0);
    expect(await sb.store.alerts.timer(alert.id)).toMatchObject({ nextStep: 1 });

    sb.store.alerts.stepRan = stepRan;
    await sb.routing.tick();
    await two.waitForAlert((a) => a.id === alert.id);
    const timeline = await kinds(sb, alert.id);
    expect(timeline.filter((k) => k === 'notified:p-two')).toHaveLength(1);
    expect(timeline).not.toContain('skipped');
    expect(await sb.store.alerts.timer(alert.id)).toMatchObject({ nextStep: 2 });
  });

  it('one acknowledgement stops it for everyone; a late answer is refused clearly', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(clock);
    const one = await device(sb, 'dr.one');
    const two = await device(sb, 'dr.two');
    await send(sb, result('2823-3', 'LL'));
    const alert = await one.waitForAlert();
    clock.advance(2);
    await sb.routing.tick();
    await two.waitForAlert((a) => a.id === alert.id);
    await one.answer('accept', alert.id);
    await expect(two.answer('acknowledge', alert.id)).rejects.toThrow(/already acknowledged/);
  });
});
