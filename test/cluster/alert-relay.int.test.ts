/**
 * Two instances on one PostgreSQL database and one Redis: a clinician connected to instance B receives
 * the alert instance A routed, and an acknowledgement taken on B stops the escalation A started.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

const START = '2026-11-22T14:30:00Z';
const redisUrl = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const schema = await createTestSchema();
const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
afterAll(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
  await dropTestSchema(schema);
});

describe('two instances, one database, one Redis', () => {
  it('a clinician on B hears of what A routed; an acknowledgement on B stops what A escalates', async () => {
    const configDir = await writeBehaviourHospital();
    // Each run its own channel, so two runs on one Redis never hear each other.
    const channel = `switchboard-test:${randomBytes(4).toString('hex')}`;
    writeFileSync(
      join(configDir, 'cluster.yaml'),
      `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\nredis:\n  url: ${redisUrl}\n  channel: '${channel}'\n`,
    );
    const clockA = new ManualClock(START);
    const a = await startTestSwitchboard({ configDir, clock: clockA, cycle: false });
    running.push(a);
    const b = await startTestSwitchboard({ configDir, clock: new ManualClock(START), cycle: false });
    running.push(b);
    // Health tells the instances apart and says whether each holds Redis.
    const health = await Promise.all(
      [a, b].map(
        async (sb) => (await fetch(`${sb.httpUrl}/api/health`)).json() as Promise<Record<string, unknown>>,
      ),
    );
    expect(health.map((h) => [h.store, h.redis])).toEqual([
      ['postgres', 'ready'],
      ['postgres', 'ready'],
    ]);
    expect(health[0].instance).not.toBe(health[1].instance);
    const one = await FakeDevice.connect(b.httpUrl, await signIn(b.httpUrl, 'dr.one'), 'dr.one');
    const two = await FakeDevice.connect(a.httpUrl, await signIn(a.httpUrl, 'dr.two'), 'dr.two');
    devices.push(one, two);

    const client = new MllpClient({ host: '127.0.0.1', port: a.mllpPort });
    await client.connect();
    expect(await client.send(result('2823-3', 'LL'))).toContain('MSA|AA|');
    await client.close();
    await a.settled();

    const alert = await one.waitForAlert();
    expect(alert).toMatchObject({ title: 'Critical Potassium 2.7', priority: 'urgent' });
    const acked = await one.answer('acknowledge', alert.id);
    expect(acked).toMatchObject({ status: 'acknowledged' });

    // A's cycle two minutes on: the second call is not paged, the escalation is over.
    clockA.advance(2);
    await a.routing.tick();
    expect(two.alerts().size).toBe(0);
    expect(await a.store.alerts.timer(alert.id)).toBeUndefined();
  });
});
