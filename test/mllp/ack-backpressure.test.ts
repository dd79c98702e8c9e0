import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListenerHealth } from '../../src/listeners/mllp/server.ts';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { oru, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';

let sb: TestSwitchboard;
beforeAll(async () => {
  sb = await startTestSwitchboard();
});
afterAll(async () => {
  await sb.cleanup();
});

/** The MLLP thread's health, once it has reported twice without `messagesReceived` moving. */
async function whenReadingStopped(): Promise<ListenerHealth> {
  let last = -1;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 600));
    const health = sb.mllpIngest?.health();
    if (!health) throw new Error('no MLLP listener');
    if (health.messagesReceived === last && health.connectionsWaitingForAckReader === 1) return health;
    last = health.messagesReceived;
  }
  throw new Error('the listener kept reading a connection whose ACKs were not read');
}

describe('ACK back-pressure', () => {
  it('stops reading a sender that does not read its ACKs, then answers every message in order once it does', async () => {
    // 60,000 ACKs are about 10 MiB: far more than the kernel's socket buffers on both ends hold, so without
    // back-pressure most of them would wait in the listener's memory.
    const n = 60_000;
    const ids = Array.from({ length: n }, (_, i) => `UNREAD-${i}`);
    const peer = await RawMllpPeer.open(sb.mllpPort);
    peer.socket.pause();
    peer.write(Buffer.concat(ids.map((id) => frameMllp(oru(id, 'UNREADLAB')))));

    const stalled = await whenReadingStopped();
    expect(stalled.messagesReceived).toBeLessThan(n);
    // Unsent ACKs stay within the socket's high-water mark plus the messages read but not yet answered
    // (at most 1,000 and a chunk's worth), whatever the sender pipelines.
    expect(stalled.largestAckBacklogBytes).toBeGreaterThan(0);
    expect(stalled.largestAckBacklogBytes).toBeLessThan(512 * 1024);

    peer.socket.resume();
    const acks = await peer.waitForAcks(n, 120_000);
    expect(acks.map((a) => msa(a).controlId)).toEqual(ids);
    expect(acks.every((a) => msa(a).code === 'AA')).toBe(true);
    peer.close();
    await sb.ingested();
    expect((await sb.store.messages.list({ sender: 'UNREADLAB', limit: 1 })).total).toBe(n);
    const after = sb.mllpIngest?.health();
    expect(after?.largestAckBacklogBytes).toBeLessThan(512 * 1024);
    console.log(
      `ACK back-pressure: read ${stalled.messagesReceived} of ${n} while ACKs went unread; largest unsent ACK backlog ${stalled.largestAckBacklogBytes} bytes (after: ${after?.largestAckBacklogBytes})`,
    );
  }, 180_000);
});
