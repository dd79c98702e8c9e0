/**
 * Redis dies and comes back between two instances: the alert instance A routes while Redis is away still
 * reaches the clinician connected to instance B (B sends its clinicians their alerts again once its
 * subscription is back), and live fan-out resumes. A Redis of the test's own on a high port, so CI's shared
 * one stays up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

const START = '2026-11-22T14:30:00Z';
const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
const port = 56379 + (process.pid % 1000);
let redis: ChildProcess | undefined;
const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
const schema = await createTestSchema();
afterAll(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
  redis?.kill('SIGKILL');
  await dropTestSchema(schema);
});

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function killRedis(): Promise<void> {
  const dying = redis;
  if (!dying) return;
  await new Promise((resolve) => {
    dying.once('exit', resolve);
    dying.kill('SIGKILL');
  });
}

async function healthOf(sb: TestSwitchboard): Promise<string> {
  return ((await (await fetch(`${sb.httpUrl}/api/health`)).json()) as { redis: string }).redis;
}

describe.skipIf(!haveRedis)('Redis restarted between two instances', () => {
  it('an alert routed while Redis is away reaches the clinician on the other instance, and live frames resume', async () => {
    await startRedis();
    const configDir = await writeBehaviourHospital();
    writeFileSync(
      join(configDir, 'cluster.yaml'),
      `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\nredis:\n  url: redis://127.0.0.1:${port}\n`,
    );
    const a = await startTestSwitchboard({ configDir, clock: new ManualClock(START), cycle: false });
    running.push(a);
    const b = await startTestSwitchboard({ configDir, clock: new ManualClock(START), cycle: false });
    running.push(b);
    const one = await FakeDevice.connect(b.httpUrl, await signIn(b.httpUrl, 'dr.one'), 'dr.one');
    devices.push(one);
    const client = new MllpClient({ host: '127.0.0.1', port: a.mllpPort });
    await client.connect();
    const route = async (value: string) => {
      expect(await client.send(result('2823-3', 'LL', value))).toContain('MSA|AA|');
      await a.settled();
    };

    await route('2.1');
    expect(await one.waitForAlert((x) => x.title === 'Critical Potassium 2.1')).toBeDefined();

    await killRedis();
    while ((await healthOf(b)) === 'ready') await new Promise((r) => setTimeout(r, 50));
    await route('2.2');
    // Long enough for A's publish to give up (one retry per command, then the offline queue is failed).
    await new Promise((r) => setTimeout(r, 1500));
    await startRedis();
    // Nothing carried this one across while Redis was away: B's catch-up does.
    expect(await one.waitForAlert((x) => x.title === 'Critical Potassium 2.2')).toBeDefined();

    while ((await healthOf(a)) !== 'ready') await new Promise((r) => setTimeout(r, 50));
    await route('2.3');
    expect(await one.waitForAlert((x) => x.title === 'Critical Potassium 2.3')).toBeDefined();
    await client.close();
  }, 60_000);
});
