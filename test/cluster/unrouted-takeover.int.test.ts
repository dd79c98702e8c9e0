/**
 * kill -9 of an instance on the shared PostgreSQL store mid-flood, with another instance running: the
 * survivor takes over, without a restart, the messages the dead one had stored and not routed (each
 * message is recorded under the instance that routes it; the dead one's lock is gone, so its messages are
 * adopted by the instance on the `unrouted-messages` duty).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { until } from '../support/duties.ts';
import { oru, startTestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const schema = await createTestSchema();
const storeYaml = `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\ncluster:\n  leaseSeconds: 3\n`;
const dirs = [mkdtempSync(join(tmpdir(), 'sb-adopt-a-')), mkdtempSync(join(tmpdir(), 'sb-adopt-b-'))];
afterAll(async () => {
  killLeftoverSwitchboardChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropTestSchema(schema);
});

describe('a running survivor and the messages a dead instance left', () => {
  it('routes every message the killed instance acknowledged and had not routed, without a restart', async () => {
    const survivor = await startTestSwitchboard({
      configDir: writeTestConfig({}, storeYaml),
      dataDir: dirs[1],
    });
    try {
      const { child, mllp: port } = await startSwitchboardChild(writeTestConfig({}, storeYaml), dirs[0]);
      const peers = await Promise.all([1, 2, 3, 4].map(() => RawMllpPeer.open(port)));
      let stop = false;
      const pumps = peers.map(async (peer, c) => {
        for (let i = 0; !stop && i < 20000; i++) {
          peer.write(frameMllp(oru(`ADOPT-${c}-${i}`, 'ADOPTLAB')));
          if (i % 50 === 49) await new Promise((r) => setImmediate(r));
        }
      });
      await until('1,000 acknowledgements', () => peers.reduce((n, p) => n + p.acks.length, 0) >= 1000);
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(pumps);
      await new Promise((r) => child.once('exit', r));
      const acked = peers
        .flatMap((p) => p.acks.map((a) => msa(a)))
        .filter((a) => a.code === 'AA')
        .map((a) => a.controlId);
      for (const p of peers) p.close();

      const waiting = async () =>
        (await survivor.store.messages.list({ sender: 'ADOPTLAB', status: 'received', limit: 1 })).total;
      await until('the survivor to route what was left', async () => (await waiting()) === 0, 50_000);
      await survivor.routing.router.drained();

      const stored = new Set<string>();
      const { total } = await survivor.store.messages.list({ sender: 'ADOPTLAB', limit: 1 });
      for (let offset = 0; offset < total; offset += 1000) {
        const page = await survivor.store.messages.list({ sender: 'ADOPTLAB', limit: 1000, offset });
        for (const m of page.items) {
          expect(stored.has(m.controlId)).toBe(false);
          stored.add(m.controlId);
          expect(m.status).not.toBe('received');
        }
      }
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await survivor.stop();
    }
  });
});
