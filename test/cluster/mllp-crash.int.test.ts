/**
 * kill -9 of an instance on the shared PostgreSQL store mid-flood: every message it acknowledged is in
 * the database once (its ACK waited for the COMMIT; nothing was kept on its own disk), and another
 * instance started on the same database routes what the dead one left unrouted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, startTestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const schema = await createTestSchema();
const storeYaml = `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\n`;
const configDir = writeTestConfig({}, storeYaml);
const dirs = [mkdtempSync(join(tmpdir(), 'sb-pg-crash-a-')), mkdtempSync(join(tmpdir(), 'sb-pg-crash-b-'))];
afterAll(async () => {
  killLeftoverSwitchboardChildren();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
  await dropTestSchema(schema);
});

describe('kill -9 of an instance on PostgreSQL mid-flood', () => {
  it('loses no acknowledged message, stores none twice, and a survivor routes what it left', async () => {
    const { child, mllp: port } = await startSwitchboardChild(configDir, dirs[0]);
    const peers = await Promise.all([1, 2, 3, 4].map(() => RawMllpPeer.open(port)));
    let stop = false;
    const pumps = peers.map(async (peer, c) => {
      for (let i = 0; !stop && i < 20000; i++) {
        peer.write(frameMllp(oru(`PGCRASH-${c}-${i}`, 'CRASHLAB')));
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (peers.reduce((n, p) => n + p.acks.length, 0) >= 1000) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(pumps);
    await new Promise((r) => child.once('exit', r));
    const acked = peers
      .flatMap((p) => p.acks.map((a) => msa(a)))
      .filter((a) => a.code === 'AA')
      .map((a) => a.controlId);
    expect(acked.length).toBeGreaterThanOrEqual(1000);
    for (const p of peers) p.close();

    // Another instance, its own data folder, the same database.
    const sb = await startTestSwitchboard({ configDir: writeTestConfig({}, storeYaml), dataDir: dirs[1] });
    try {
      const stored = new Map<string, string>();
      const { total } = await sb.store.messages.list({ sender: 'CRASHLAB', limit: 1 });
      for (let offset = 0; offset < total; offset += 1000) {
        const page = await sb.store.messages.list({ sender: 'CRASHLAB', limit: 1000, offset });
        for (const m of page.items) {
          expect(stored.has(m.controlId)).toBe(false);
          stored.set(m.controlId, m.status);
        }
      }
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      // It took up at start what the dead instance had stored and not routed.
      await sb.routing.router.drained();
      const { total: waiting } = await sb.store.messages.list({
        sender: 'CRASHLAB',
        status: 'received',
        limit: 1,
      });
      expect(waiting).toBe(0);
    } finally {
      await sb.stop();
    }
  });
});
