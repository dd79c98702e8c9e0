import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';

// 09:30 in New York on 2026-11-22: day shift, everyone on.
const START = '2026-11-22T14:30:00Z';
const running: TestSwitchboard[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function hospital(clock: ManualClock | undefined, policy: string, cycle = false, cycleMs?: number) {
  const configDir = await writeBehaviourHospital({ policy });
  if (cycleMs) {
    const sw = join(configDir, 'switchboard.yaml');
    writeFileSync(sw, `${readFileSync(sw, 'utf8')}  cycleMs: ${cycleMs}\n`);
  }
  const sb = await startTestSwitchboard({ configDir, clock, cycle });
  running.push(sb);
  return sb;
}

async function send(sb: TestSwitchboard, message: string) {
  const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
  await client.connect();
  expect(await client.send(message)).toContain('MSA|AA|');
  await client.close();
  await sb.settled();
  const [alert] = await sb.store.alerts.list({ limit: 1 });
  return alert;
}

const notified = async (sb: TestSwitchboard, alertId: number) =>
  (await sb.store.alerts.timeline(alertId)).filter((e) => e.kind === 'notified').map((e) => e.personId);

const secondsAfter = (start: Date, seconds: number) => new Date(start.getTime() + seconds * 1000);

describe('escalation precision', () => {
  it('runs a step written in seconds at that second, and counts the next from when it was due', async () => {
    const clock = new ManualClock(START);
    const sb = await hospital(
      clock,
      `  - id: critical
    steps:
      - { delay: 0s, targets: [ { recipients: rule } ] }
      - { delay: 20s, targets: [ { onCall: hospitalist, order: 2 } ] }
      - { delayMinutes: 0.5, targets: [ { onCall: supervisor } ] }
    failsafe: { group: operators }`,
    );
    const alert = await send(sb, result('2823-3', 'LL'));
    expect(await notified(sb, alert.id)).toEqual(['p-one']);

    clock.set(secondsAfter(alert.createdAt, 19.999));
    await sb.routing.tick();
    expect(await notified(sb, alert.id)).toEqual(['p-one']);

    // The cycle runs 700 ms late: the third step is still due 30 s after the second was due.
    clock.set(secondsAfter(alert.createdAt, 20.7));
    await sb.routing.tick();
    expect(await notified(sb, alert.id)).toEqual(['p-one', 'p-two']);
    expect((await sb.store.alerts.timer(alert.id))?.dueAt).toEqual(secondsAfter(alert.createdAt, 50));

    clock.set(secondsAfter(alert.createdAt, 50));
    await sb.routing.tick();
    expect(await notified(sb, alert.id)).toEqual(['p-one', 'p-two', 'p-sup']);
  });

  it('a step that finds nobody goes on at once, or holds its delay with whenNobody: wait', async () => {
    const policy = (whenNobody: string) => `  - id: critical
    steps:
      - { delay: 0s, targets: [ { recipients: rule } ] }
      - { delay: 1m, targets: [ { onCall: cardiology } ]${whenNobody} }
      - { delay: 2m, targets: [ { onCall: supervisor } ] }
    failsafe: { group: operators }`;

    const onceClock = new ManualClock(START);
    const atOnce = await hospital(onceClock, policy(''));
    const clock = new ManualClock(START);
    const holding = await hospital(clock, policy(', whenNobody: wait'));
    const first = await send(atOnce, result('2823-3', 'LL'));
    const held = await send(holding, result('2823-3', 'LL'));

    onceClock.advance(1);
    await atOnce.routing.tick();
    clock.advance(1);
    await holding.routing.tick();
    expect(await notified(atOnce, first.id)).toEqual(['p-one', 'p-sup']); // nobody for cardiology: next step at once
    expect(await notified(holding, held.id)).toEqual(['p-one']);
    expect((await holding.store.alerts.timeline(held.id)).map((e) => e.kind)).toContain('skipped');
    expect((await holding.store.alerts.timer(held.id))?.dueAt).toEqual(secondsAfter(held.createdAt, 180));

    clock.advance(2);
    await holding.routing.tick();
    expect(await notified(holding, held.id)).toEqual(['p-one', 'p-sup']);
  });

  it('wakes the cycle when the next step falls due, long before its poll would', async () => {
    // The real clock: people are named directly, so no shift needs to be on now.
    const sb = await hospital(
      undefined,
      `  - id: critical
    steps:
      - { delay: 0s, targets: [ { person: p-one } ] }
      - { delay: 1s, targets: [ { person: p-two } ] }
    failsafe: { group: operators }`,
      true,
      600_000,
    );
    const alert = await send(sb, result('2823-3', 'LL'));
    await vi.waitFor(async () => expect(await notified(sb, alert.id)).toEqual(['p-one', 'p-two']), {
      timeout: 10_000,
      interval: 20,
    });
    const second = (await sb.store.alerts.timeline(alert.id)).find((e) => e.personId === 'p-two');
    expect(second!.at.getTime()).toBeGreaterThanOrEqual(alert.createdAt.getTime() + 1000);
  });
});
