import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { startSwitchboard } from '../../src/main.ts';
import { frameMllp } from '../../src/protocols/hl7/mllp.ts';
import { encodeInbound } from '../../src/store/journal/record.ts';
import { listSegments } from '../../src/store/journal/segment-file.ts';
import { JournalWriter } from '../../src/store/journal/writer.ts';
import { oru, startTestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { msa, RawMllpPeer } from '../support/mllp-socket.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'sb-replay-'));
const configDir = writeTestConfig();
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

const journaled = (controlId: string) => ({
  listener: 'mllp',
  peer: '127.0.0.1:40000',
  sendingApplication: 'LAB',
  sendingFacility: 'RGH',
  receivingApplication: 'SWITCHBOARD',
  receivingFacility: 'TEST',
  messageType: 'ORU',
  triggerEvent: 'R01',
  controlId,
  receivedAt: new Date(),
  raw: Buffer.from(oru(controlId, 'LAB')),
});

describe('inbound journal replay at start', () => {
  it('stores and routes what the journal holds that the store lacks, once, then clears the journal', async () => {
    // A message acknowledged and stored normally.
    const first = await startTestSwitchboard({ configDir, dataDir });
    const client = new MllpClient({ host: '127.0.0.1', port: first.mllpPort });
    await client.connect();
    expect(await client.send(oru('REPLAY-STORED', 'LAB'))).toContain('MSA|AA|REPLAY-STORED');
    await client.close();
    await first.settled();
    await first.stop();
    expect(listSegments(join(dataDir, 'journal'))).toEqual([]);

    // What a crash leaves: records on the disk in the journal whose rows never reached the store (and one
    // whose row did).
    const journal = new JournalWriter(join(dataDir, 'journal'));
    for (const id of ['REPLAY-STORED', 'REPLAY-1', 'REPLAY-2'])
      await journal.append(encodeInbound(journaled(id)));
    journal.close();

    const second = await startTestSwitchboard({ configDir, dataDir });
    try {
      await second.settled();
      const { items } = await second.store.messages.list({ sender: 'LAB', limit: 10 });
      expect(items.map((m) => m.controlId).sort()).toEqual(['REPLAY-1', 'REPLAY-2', 'REPLAY-STORED']);
      // Routed like any other message (no rules in the test config: unrouted, not left received).
      expect(items.every((m) => m.status !== 'received')).toBe(true);
      expect(listSegments(join(dataDir, 'journal'))).toHaveLength(1); // the running thread's fresh segment
    } finally {
      await second.stop();
    }
  });

  it('refuses a second Switchboard on the same data folder and leaves the first one serving', async () => {
    const first = await startTestSwitchboard({ configDir, dataDir });
    try {
      await expect(startTestSwitchboard({ configDir, dataDir })).rejects.toThrow(/in use by another/);
      const client = new MllpClient({ host: '127.0.0.1', port: first.mllpPort });
      await client.connect();
      expect(await client.send(oru('STILL-SERVING', 'LAB'))).toContain('MSA|AA|STILL-SERVING');
      await client.close();
      await first.settled();
      expect((await first.store.messages.list({ controlId: 'STILL-SERVING' })).total).toBe(1);
      expect(listSegments(join(dataDir, 'journal'))).toHaveLength(1);
    } finally {
      await first.stop();
    }
    // Once the first has stopped, the folder is free again.
    const third = await startTestSwitchboard({ configDir, dataDir });
    await third.stop();
  });
});

describe('MLLP ingest thread failure', () => {
  it('restarts the thread on the same port after a crash; nothing acknowledged is lost or doubled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-thread-crash-'));
    const sb = await startTestSwitchboard({ configDir, dataDir: dir });
    try {
      const send = async (ids: string[]) => {
        const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
        await client.connect();
        for (const id of ids) expect(await client.send(oru(id, 'THREADLAB'))).toContain(`MSA|AA|${id}`);
        await client.close();
      };
      await send(['BEFORE-1', 'BEFORE-2']);
      await sb.mllpIngest?.crashThread();
      // The supervisor replays the journal and starts a new thread within about a second.
      for (let i = 0; i < 100 && sb.mllpIngest?.health().state !== 'listening'; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(sb.mllpIngest?.health().state).toBe('listening');
      await send(['AFTER-1', 'BEFORE-2']);
      await sb.settled();
      const { items } = await sb.store.messages.list({ sender: 'THREADLAB', limit: 10 });
      expect(items.map((m) => m.controlId).sort()).toEqual(['AFTER-1', 'BEFORE-1', 'BEFORE-2']);
    } finally {
      await sb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A Switchboard of the test's own, `overrides` in its config and its log kept; `stop` removes its folders. */
async function ownSwitchboard(overrides = '') {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ingest-'));
  const config = writeTestConfig({}, overrides);
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const sb = await startSwitchboard({ configDir: config, dataDir: dir, env: {}, log });
  return {
    sb,
    said: () => lines.map((l) => JSON.parse(l).msg as string),
    async stop() {
      await sb.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(config, { recursive: true, force: true });
    },
  };
}

describe('MLLP backpressure', () => {
  it('stops reading while the store lags the journal, then reads again; every message is answered and stored once', async () => {
    const own = await ownSwitchboard('    maxUnstoredMessages: 4\n');
    const { sb, said } = own;
    try {
      const peer = await RawMllpPeer.open(sb.mllp?.port ?? 0);
      const ids = Array.from({ length: 60 }, (_, i) => `BP-${i}`);
      // Sent one at a time without waiting for ACKs, so the thread sees many messages in flight.
      for (const id of ids) peer.write(frameMllp(oru(id, 'BPLAB')));
      const acks = await peer.waitForAcks(ids.length, 30_000);
      expect(acks.map((a) => msa(a).controlId)).toEqual(ids);
      expect(acks.every((a) => msa(a).code === 'AA')).toBe(true);
      peer.close();
      await sb.ingested();
      expect((await sb.store.messages.list({ sender: 'BPLAB', limit: 1 })).total).toBe(ids.length);
      expect(said()).toContain('MLLP paused reading: the store is behind');
      // Reading resumes with the store's next flush (within about 100 ms), which may come after the ACKs.
      for (let i = 0; i < 100 && !said().includes('MLLP reading again: the store caught up'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(said()).toContain('MLLP reading again: the store caught up');
    } finally {
      await own.stop();
    }
  });
});

describe('MLLP holds senders while routing is behind', () => {
  it('stops reading at routing.pacing.maxBacklog and reads again once half is routed; every message answered, stored and routed once', async () => {
    const own = await ownSwitchboard('routing:\n  pacing:\n    maxBacklog: 2\n');
    const { sb, said } = own;
    try {
      const peer = await RawMllpPeer.open(sb.mllp?.port ?? 0);
      const ids = Array.from({ length: 100 }, (_, i) => `HOLD-${i}`);
      // Written without waiting for ACKs: stored rows reach routing many at a time, past the bound of 2.
      for (const id of ids) peer.write(frameMllp(oru(id, 'HOLDLAB')));
      const acks = await peer.waitForAcks(ids.length, 30_000);
      expect(acks.map((a) => msa(a).controlId)).toEqual(ids);
      expect(acks.every((a) => msa(a).code === 'AA')).toBe(true);
      peer.close();
      await sb.ingested();
      await sb.routing.router.drained();
      const { items, total } = await sb.store.messages.list({ sender: 'HOLDLAB', limit: 200 });
      expect(total).toBe(ids.length);
      // No rules in the test config: every message routed to no one, none left received.
      expect(new Set(items.map((m) => m.status))).toEqual(new Set(['unrouted']));
      expect(said()).toContain(
        'MLLP holding senders: routing is behind (reading again once half the backlog is routed)',
      );
      expect(sb.routing.router.backlog).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it('the thread reads nothing while told routing is behind, and answers once told it caught up', async () => {
    const own = await ownSwitchboard();
    const { sb } = own;
    const ingest = sb.mllpIngest;
    const healthSays = async (holding: boolean) => {
      // The thread reports its health every half second.
      for (let i = 0; i < 100 && ingest?.health().holdingSenders !== holding; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(ingest?.health().holdingSenders).toBe(holding);
    };
    try {
      const peer = await RawMllpPeer.open(sb.mllp?.port ?? 0);
      ingest?.routingBehind(true);
      await healthSays(true);
      peer.write(frameMllp(oru('HELD-1', 'HELDLAB')));
      await new Promise((r) => setTimeout(r, 300));
      expect(peer.acks).toEqual([]);
      expect((await sb.store.messages.list({ sender: 'HELDLAB', limit: 1 })).total).toBe(0);
      ingest?.routingBehind(false);
      const [ack] = await peer.waitForAcks(1, 10_000);
      expect(msa(ack!)).toMatchObject({ code: 'AA', controlId: 'HELD-1' });
      await healthSays(false);
      peer.close();
    } finally {
      await own.stop();
    }
  });
});
