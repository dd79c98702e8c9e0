import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sb-crash-escalation-'));
afterAll(() => {
  killLeftoverSwitchboardChildren();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kill -9 mid-escalation', () => {
  it('the next step still runs on time after a restart', async () => {
    // Shifts around the real "now", so the child (real clock) finds the first call on duty.
    const now = Date.now();
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    const shifts = `    - { assignment: hospitalist, person: p-one, start: '${local(now - 3600_000)}+00:00', end: '${local(now + 3600_000)}+00:00', callOrder: 1 }
    - { assignment: hospitalist, person: p-two, start: '${local(now - 3600_000)}+00:00', end: '${local(now + 3600_000)}+00:00', callOrder: 2 }`;
    const configDir = await writeBehaviourHospital({ shifts });
    const { child, mllp } = await startSwitchboardChild(configDir, dataDir);
    const client = new MllpClient({ host: '127.0.0.1', port: mllp });
    await client.connect();
    expect(await client.send(result('2823-3', 'LL', '2.3', 'CRASH-ESC-1'))).toContain('MSA|AA|');
    await client.close();
    // Wait until the child has notified the first call, then kill it without warning.
    const probe = await startProbe();
    await probe.until(async (sb) => (await sb.store.alerts.timeline(1)).some((e) => e.kind === 'notified'));
    await probe.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // Two minutes later (by the clock), a new process on the same data: the second call is notified.
    const clock = new ManualClock(new Date(Date.now() + 2 * 60_000 + 1000));
    const sb = await startTestSwitchboard({ configDir, dataDir, clock, cycle: false });
    try {
      const two = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'dr.two'), 'dr.two');
      await sb.routing.tick();
      const alert = await two.waitForAlert();
      expect(alert.title).toBe('Critical Potassium 2.3');
      const kinds = (await sb.store.alerts.timeline(alert.id)).map(
        (e) => `${e.kind}${e.personId ? `:${e.personId}` : ''}`,
      );
      expect(kinds.slice(0, 5)).toEqual([
        'received',
        'routed',
        'notified:p-one',
        'escalated',
        'notified:p-two',
      ]);
      two.close();
    } finally {
      await sb.stop();
    }
  });
});

describe('routing again after a crash', () => {
  it('does not raise a second alert for a message routed but not yet marked', async () => {
    const clock = new ManualClock('2026-11-22T14:30:00Z');
    const configDir = await writeBehaviourHospital();
    const dir = mkdtempSync(join(tmpdir(), 'sb-reroute-'));
    const first = await startTestSwitchboard({ configDir, dataDir: dir, clock, cycle: false });
    const client = new MllpClient({ host: '127.0.0.1', port: first.mllpPort });
    await client.connect();
    await client.send(result('2823-3', 'LL', '2.2', 'REROUTE-1'));
    await client.close();
    await first.settled();
    const [message] = (await first.store.messages.list({})).items;
    // As if the process died after raising the alert and before marking the message routed.
    await first.store.messages.setStatus(message.id, 'received');
    await first.stop();

    const second = await startTestSwitchboard({ configDir, dataDir: dir, clock, cycle: false });
    try {
      await second.settled();
      expect(await second.store.alerts.list({})).toHaveLength(1);
      expect((await second.store.messages.get(message.id))?.status).toBe('routed');
    } finally {
      await second.cleanup();
    }
  });
});

/** Reads the child's SQLite file from this process while the child runs (WAL allows it). */
async function startProbe() {
  const { openSqliteStore } = await import('../../src/store/sqlite/index.ts');
  const store = openSqliteStore(dataDir);
  return {
    async until(cond: (sb: { store: typeof store }) => Promise<boolean>) {
      for (let i = 0; i < 200; i++) {
        if (await cond({ store })) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('condition never held');
    },
    close: () => store.close(),
  };
}
