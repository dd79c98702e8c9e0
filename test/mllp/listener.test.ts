import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
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

async function stored(controlId: string) {
  await sb.ingested();
  return (await sb.store.messages.list({ controlId })).items;
}

describe('MLLP listener over real sockets', () => {
  it('acknowledges AA after storing, echoing MSH-10 with a fresh ACK control id', async () => {
    const peer = await RawMllpPeer.open(sb.mllpPort);
    peer.write(frameMllp(oru('AA-1')));
    const [ack] = await peer.waitForAcks(1);
    const a = msa(ack);
    expect(a.code).toBe('AA');
    expect(a.controlId).toBe('AA-1');
    expect(a.msh10).not.toBe('AA-1');
    expect(ack.startsWith('MSH|^~\\&|SWITCHBOARD|TEST|LAB|RGH|')).toBe(true);
    const [m] = await stored('AA-1');
    expect(m).toMatchObject({
      messageType: 'ORU',
      triggerEvent: 'R01',
      sendingApplication: 'LAB',
    });
    // Routing runs while the commit is flushed to the disk, so it may already have taken the message.
    expect(['received', 'unrouted']).toContain(m.status);
    peer.close();
  });

  it('handles a stream split into single bytes and frames coalesced into one write', async () => {
    const peer = await RawMllpPeer.open(sb.mllpPort);
    const stream = Buffer.concat([frameMllp(oru('SPLIT-1')), frameMllp(oru('SPLIT-2'))]);
    for (const byte of stream) {
      peer.write(Buffer.from([byte]));
    }
    peer.write(
      Buffer.concat([frameMllp(oru('COAL-1')), Buffer.from('\r\n\uFEFF'), frameMllp(oru('COAL-2'))]),
    );
    const acks = await peer.waitForAcks(4);
    expect(acks.map((a) => msa(a).controlId)).toEqual(['SPLIT-1', 'SPLIT-2', 'COAL-1', 'COAL-2']);
    expect(acks.every((a) => msa(a).code === 'AA')).toBe(true);
    peer.close();
  });

  it('stores 5,000 pipelined messages on one connection exactly once, ACKs in order', async () => {
    const n = 5000;
    const peer = await RawMllpPeer.open(sb.mllpPort);
    const ids = Array.from({ length: n }, (_, i) => `BULK-${i}`);
    peer.write(Buffer.concat(ids.map((id) => frameMllp(oru(id, 'BULKLAB')))));
    const acks = await peer.waitForAcks(n, 60000);
    expect(acks).toHaveLength(n);
    expect(acks.map((a) => msa(a).controlId)).toEqual(ids);
    expect(acks.every((a) => msa(a).code === 'AA')).toBe(true);
    expect(new Set(acks.map((a) => msa(a).msh10)).size).toBe(n);
    await sb.ingested();
    expect((await sb.store.messages.list({ sender: 'BULKLAB', limit: 1 })).total).toBe(n);
    peer.close();
  });

  it('acknowledges a repeated MSH-10 from the same sender again without storing it twice', async () => {
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    const first = msa(await client.send(oru('DUP-1', 'DUPLAB')));
    const again = msa(await client.send(oru('DUP-1', 'DUPLAB')));
    const otherSender = msa(await client.send(oru('DUP-1', 'OTHERLAB')));
    await client.close();
    expect([first.code, again.code, otherSender.code]).toEqual(['AA', 'AA', 'AA']);
    expect(await stored('DUP-1')).toHaveLength(2);
  });

  it('answers garbage with AR and an ERR segment, and keeps serving the connection', async () => {
    const peer = await RawMllpPeer.open(sb.mllpPort);
    peer.write(frameMllp('this is not HL7'));
    peer.write(frameMllp('MSH|^~\\&|LAB|RGH|SB|RGH|20260101||ORU^R01||P|2.5\rPID|1\r'));
    peer.write(frameMllp(Buffer.from([0xff, 0xfe, 0x00, 0x01])));
    peer.write(frameMllp(oru('AFTER-GARBAGE')));
    const acks = await peer.waitForAcks(4);
    expect(acks.slice(0, 3).map((a) => msa(a).code)).toEqual(['AR', 'AR', 'AR']);
    expect(acks.slice(0, 3).every((a) => msa(a).err !== undefined)).toBe(true);
    expect(msa(acks[3])).toMatchObject({ code: 'AA', controlId: 'AFTER-GARBAGE' });
    expect(peer.closed).toBe(false);
    peer.close();
  });

  it('rejects an oversize frame with AR and closes that connection only', async () => {
    const big = await RawMllpPeer.open(sb.mllpPort);
    const other = await RawMllpPeer.open(sb.mllpPort);
    const huge = `${oru('HUGE-1').slice(0, -1)}\rNTE|1||${'X'.repeat(1100 * 1024)}\r`;
    big.write(frameMllp(huge));
    const [ack] = await big.waitForAcks(1);
    expect(msa(ack)).toMatchObject({ code: 'AR', controlId: 'HUGE-1' });
    await new Promise<void>((resolve) =>
      big.closed ? resolve() : big.socket.once('close', () => resolve()),
    );
    expect(await stored('HUGE-1')).toHaveLength(0);
    other.write(frameMllp(oru('STILL-SERVING')));
    expect(msa((await other.waitForAcks(1))[0]).code).toBe('AA');
    other.close();
  });

  it('serves 100 concurrent connections', async () => {
    // From four source addresses: one address may hold maxConnectionsPerAddress (50) of them.
    const peers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        RawMllpPeer.open(sb.mllpPort, '127.0.0.1', `127.0.0.${1 + (i % 4)}`),
      ),
    );
    peers.forEach((p, i) => {
      for (let k = 0; k < 5; k++) p.write(frameMllp(oru(`CONC-${i}-${k}`, 'CONCLAB')));
    });
    const all = await Promise.all(peers.map((p) => p.waitForAcks(5)));
    all.forEach((acks, i) => {
      expect(acks.map((a) => msa(a).controlId)).toEqual([0, 1, 2, 3, 4].map((k) => `CONC-${i}-${k}`));
    });
    await sb.ingested();
    expect((await sb.store.messages.list({ sender: 'CONCLAB', limit: 1 })).total).toBe(500);
    for (const p of peers) p.close();
  });

  it('reports listener state on /api/health', async () => {
    const res = await fetch(`${sb.httpUrl}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.listeners.mllp).toMatchObject({ state: 'listening', port: sb.mllpPort, tls: false });
  });
});
