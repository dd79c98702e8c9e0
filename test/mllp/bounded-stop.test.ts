import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, startTestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';
import { killLeftoverSwitchboardChildren, startSwitchboardChild } from '../support/switchboard-child.ts';

const graceSeconds = 2;
const configDir = writeTestConfig({}, `    shutdownGraceSeconds: ${graceSeconds}\n`);
const dataDir = mkdtempSync(join(tmpdir(), 'sb-bounded-stop-'));
afterAll(() => {
  killLeftoverSwitchboardChildren();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

describe('SIGTERM after a burst', () => {
  it('exits within the grace, and after a restart every acknowledged message is stored exactly once', async () => {
    const { child, mllp: port } = await startSwitchboardChild(configDir, dataDir);
    const peers = await Promise.all([1, 2, 3, 4].map(() => RawMllpPeer.open(port)));
    // A burst far faster than routing: four connections pipelining 40,000 messages each.
    const perPeer = 40_000;
    for (const [c, peer] of peers.entries()) {
      const frames: Buffer[] = [];
      for (let i = 0; i < perPeer; i++) frames.push(frameMllp(oru(`BURST-${c}-${i}`, 'BURSTLAB')));
      peer.write(Buffer.concat(frames));
    }
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (peers.reduce((n, p) => n + p.acks.length, 0) >= 100_000) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const stopSeconds = (performance.now() - signalledAt) / 1000;
    expect(code).toBe(0);
    // Within the grace, and the store's close; generous for a loaded machine. Waiting for routing to finish
    // the backlog of this burst took 12-20 s here, and minutes after a burst of 900,000.
    expect(stopSeconds).toBeLessThan(graceSeconds + 10);
    await new Promise((r) => setTimeout(r, 100));

    const acked = peers
      .flatMap((p) => p.acks.map((a) => msa(a)))
      .filter((a) => a.code === 'AA')
      .map((a) => a.controlId);
    // Everything read before the stop was answered; reading stopped with the signal.
    expect(peers.every((p) => p.closed)).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(100_000);
    expect(acked.length).toBeLessThanOrEqual(4 * perPeer);
    console.log(
      `bounded stop: ${acked.length} of ${4 * perPeer} messages acknowledged, SIGTERM to exit ${stopSeconds.toFixed(1)} s (grace ${graceSeconds} s)`,
    );

    // Restart on the same data folder: what the journal held is replayed; each acknowledged message once.
    const sb = await startTestSwitchboard({ configDir: writeTestConfig(), dataDir });
    try {
      await sb.ingested();
      const seen = new Map<string, number>();
      const { total } = await sb.store.messages.list({ sender: 'BURSTLAB', limit: 1 });
      for (let offset = 0; offset < total; offset += 1000) {
        const { items } = await sb.store.messages.list({ sender: 'BURSTLAB', limit: 1000, offset });
        for (const m of items) seen.set(m.controlId, (seen.get(m.controlId) ?? 0) + 1);
      }
      expect(acked.filter((id) => !seen.has(id))).toEqual([]);
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      expect(seen.size).toBe(total);
    } finally {
      await sb.stop();
    }
  }, 240_000);
});
