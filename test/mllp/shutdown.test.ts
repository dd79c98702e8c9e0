import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { listSegments } from '../../src/store/journal/segment-file.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { oru, signIn, startTestSwitchboard, writeTestAccounts, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';

describe('graceful shutdown', () => {
  it('acknowledges what is in flight, then closes and stops accepting', async () => {
    const sb = await startTestSwitchboard();
    const peer = await RawMllpPeer.open(sb.mllpPort);
    const ids = Array.from({ length: 300 }, (_, i) => `SHUT-${i}`);
    peer.write(Buffer.concat(ids.map((id) => frameMllp(oru(id, 'SHUTLAB')))));
    await peer.waitForAcks(1);
    await sb.stop();
    // Every frame that had arrived before the stop was acknowledged, and each ACKed one is stored.
    const acked = peer.acks.map((a) => msa(a));
    expect(acked.every((a) => a.code === 'AA')).toBe(true);
    expect(acked.map((a) => a.controlId)).toEqual(ids.slice(0, acked.length));
    expect(peer.closed).toBe(true);
    await expect(RawMllpPeer.open(sb.mllpPort)).rejects.toThrow();
    const store = openSqliteStore(sb.dataDir);
    const { total } = await store.messages.list({ sender: 'SHUTLAB' });
    await store.close();
    expect(total).toBe(acked.length);
  });

  it('ends with the journal handed over whole, stop after stop, after a message and a sign-in', async () => {
    // The thread's last word on its channel ("every record sent") was sometimes lost when the thread closed
    // the channel right after posting it (seen after a sign-in had started the password thread): the stop
    // then waited out the whole grace and kept the journal.
    const configDir = writeTestConfig({}, '    shutdownGraceSeconds: 5\n');
    await writeTestAccounts(configDir, [{ username: 'analyst', role: 'analyst' }]);
    for (let round = 0; round < 8; round++) {
      const sb = await startTestSwitchboard({ configDir });
      const peer = await RawMllpPeer.open(sb.mllpPort);
      peer.write(frameMllp(oru(`LEFT-${round}`, 'LEFTLAB')));
      await peer.waitForAcks(1);
      peer.close();
      await signIn(sb.httpUrl, 'analyst');
      await sb.stop();
      // A stop that had the thread's word clears the journal; one that ran out of grace keeps it.
      expect(listSegments(join(sb.dataDir, 'journal')), `round ${round}`).toEqual([]);
    }
  });
});
