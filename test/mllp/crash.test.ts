import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, startTestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const configDir = writeTestConfig();
const dataDir = mkdtempSync(join(tmpdir(), 'sb-crash-'));
afterAll(() => {
  killLeftoverSwitchboardChildren();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

describe('kill -9 mid-stream', () => {
  it('loses no acknowledged message and stores none twice', async () => {
    const { child, mllp: port } = await startSwitchboardChild(configDir, dataDir);
    const peers = await Promise.all([1, 2, 3, 4].map(() => RawMllpPeer.open(port)));
    const sent: string[] = [];
    // Keep four connections streaming until the child is killed under them.
    let stop = false;
    const pumps = peers.map(async (peer, c) => {
      for (let i = 0; !stop && i < 20000; i++) {
        const id = `CRASH-${c}-${i}`;
        sent.push(id);
        peer.write(frameMllp(oru(id, 'CRASHLAB')));
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (peers.reduce((n, p) => n + p.acks.length, 0) >= 2000) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(pumps);
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));

    const acked = peers
      .flatMap((p) => p.acks.map((a) => msa(a)))
      .filter((a) => a.code === 'AA')
      .map((a) => a.controlId);
    expect(acked.length).toBeGreaterThanOrEqual(2000);
    for (const p of peers) p.close();

    // Restart on the same data folder: every acknowledged message is there, exactly once.
    const sb = await startTestSwitchboard({ configDir: writeTestConfig(), dataDir });
    try {
      const { items, total } = await sb.store.messages.list({ sender: 'CRASHLAB', limit: 1000 });
      expect(items.length).toBeGreaterThan(0);
      const all = new Set<string>();
      for (let offset = 0; offset < total; offset += 1000) {
        const page = await sb.store.messages.list({ sender: 'CRASHLAB', limit: 1000, offset });
        for (const m of page.items) {
          expect(all.has(m.controlId)).toBe(false);
          all.add(m.controlId);
        }
      }
      expect(all.size).toBe(total);
      const missing = acked.filter((id) => !all.has(id));
      expect(missing).toEqual([]);
      expect(total).toBeLessThanOrEqual(sent.length);
    } finally {
      await sb.stop();
    }
  });
});
