import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../port.ts';
import { openSqliteStore } from './index.ts';

const message = (controlId: string): InboundMessage => ({
  listener: 'mllp',
  peer: '10.1.2.3:4000',
  sendingApplication: 'LAB',
  sendingFacility: 'RGH',
  receivingApplication: 'SB',
  receivingFacility: 'RGH',
  messageType: 'ORU',
  triggerEvent: 'R01',
  controlId,
  receivedAt: new Date('2026-11-22T08:00:00Z'),
  raw: Buffer.from(
    `MSH|^~\\&|LAB|RGH|SB|RGH|20261122080000||ORU^R01|${controlId}|P|2.5.1\rOBX|1|NM|K^Potassium||2.7|mmol/L|||LL\r`,
  ),
});

describe('SQLite store with the inbound journal', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-replay-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('after a power loss that took the database rows, puts every acknowledged message back, once', async () => {
    const live = join(root, 'live');
    const store = openSqliteStore(live);
    const first = await store.messages.saveInbound(message('M1'));
    await store.durable();
    // What the disk holds if the power fails now: the database as of here...
    const beforeLoss = join(root, 'before-loss');
    cpSync(live, beforeLoss, { recursive: true });
    const second = await store.messages.saveInbound(message('M2'));
    const third = await store.messages.saveInbound(message('M3'));
    // ...plus the journal, which every acknowledged message was flushed to before its answer.
    const afterLoss = join(root, 'after-loss');
    cpSync(beforeLoss, afterLoss, { recursive: true, filter: (src) => !src.includes('journal') });
    cpSync(join(live, 'journal'), join(afterLoss, 'journal'), {
      recursive: true,
      filter: (src) => !src.endsWith('owner.lock'),
    });
    await store.close();

    const restarted = openSqliteStore(afterLoss);
    try {
      const { items } = await restarted.messages.list({ limit: 10 });
      expect(items.map((m) => [m.id, m.controlId, m.status])).toEqual([
        [third.id, 'M3', 'received'],
        [second.id, 'M2', 'received'],
        [first.id, 'M1', 'received'],
      ]);
      const m3 = await restarted.messages.get(third.id);
      expect(m3?.raw.equals(message('M3').raw)).toBe(true);
      expect(m3?.receivedAt.toISOString()).toBe('2026-11-22T08:00:00.000Z');
      // Waiting for routing (nothing routed in this test), and a repeat from the sender is still a repeat.
      expect((await restarted.messages.pending(10)).map((m) => m.controlId)).toEqual(['M1', 'M2', 'M3']);
      expect(await restarted.messages.saveInbound(message('M2'))).toEqual({ id: second.id, duplicate: true });
    } finally {
      await restarted.close();
    }
    // Replayed once: a second start finds nothing more to restore and nothing doubled.
    const again = openSqliteStore(afterLoss);
    expect((await again.messages.list({ limit: 10 })).total).toBe(3);
    await again.close();
  });

  it('gives a data folder to one running Switchboard; the command line reads alongside it', async () => {
    const dir = join(root, 'data');
    const owner = openSqliteStore(dir);
    await owner.messages.saveInbound(message('M1'));
    expect(() => openSqliteStore(dir)).toThrow(/in use by another running Switchboard/);
    const alongside = openSqliteStore(dir, { alongsideServer: true });
    await owner.durable();
    expect((await alongside.messages.list({ limit: 5 })).items.map((m) => m.controlId)).toEqual(['M1']);
    await expect(alongside.messages.saveInbound(message('M2'))).rejects.toThrow(/alongside/);
    await alongside.close();
    await owner.close();
    // Released at close: the next start takes it.
    const next = openSqliteStore(dir);
    await next.close();
  });
});
