import { describe, expect, it } from 'vitest';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { oru, startTestSwitchboard } from '../support/harness.ts';
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
});
