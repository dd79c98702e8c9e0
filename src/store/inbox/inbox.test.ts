import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredArrival } from '../inbox-port.ts';
import { listSegments } from '../journal/segment-file.ts';
import type { InboundMessage, MessageStore, SaveResult } from '../port.ts';
import { EmbeddedInbox } from './embedded-inbox.ts';
import { JournalInbox } from './journal-inbox.ts';

const log = pino({ level: 'silent' });

const message = (controlId: string, filler = ''): InboundMessage => ({
  listener: 'mllp',
  peer: '10.0.0.7:41000',
  sendingApplication: 'LAB',
  sendingFacility: 'RGH',
  receivingApplication: 'SB',
  receivingFacility: 'RGH',
  messageType: 'ORU',
  triggerEvent: 'R01',
  controlId,
  receivedAt: new Date('2026-12-06T10:00:00Z'),
  raw: Buffer.from(`MSH|^~\\&|LAB|RGH|||20260101||ORU^R01|${controlId}|P|2.5.1\r${filler}`, 'latin1'),
});

/** Messages by sender and control id, row ids from 1001 (so that no row id equals a journal sequence). */
class FakeMessages implements Pick<MessageStore, 'saveJournaled' | 'settled'> {
  readonly rows = new Map<string, { id: number; message: InboundMessage }>();
  /** Saves that fail before any succeeds (a full disk, say). */
  failNext = 0;
  private nextId = 1001;

  async saveJournaled(m: InboundMessage): Promise<SaveResult> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('disk full');
    }
    const key = `${m.sendingApplication}|${m.sendingFacility}|${m.controlId}`;
    const row = this.rows.get(key);
    if (row) return { id: row.id, duplicate: true };
    const id = this.nextId++;
    this.rows.set(key, { id, message: m });
    return { id, duplicate: false };
  }

  async settled(): Promise<void> {}
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('embedded inbox', () => {
  let dir: string;
  let messages: FakeMessages;
  let feed: EmbeddedInbox;
  let arrivals: StoredArrival[];
  const open = (options: { pauseAt?: number; segmentBytes?: number } = {}) => {
    const behind: boolean[] = [];
    const inbox = new JournalInbox({
      dir,
      channel: feed.openJournal(),
      log,
      journal: options.segmentBytes
        ? { segmentBytes: options.segmentBytes, aheadBytes: options.segmentBytes }
        : undefined,
      pauseAt: options.pauseAt ?? 1000,
      resumeAt: Math.floor((options.pauseAt ?? 1000) / 2),
      onBehind: (b) => behind.push(b),
      onFailure: () => {},
    });
    return { inbox, behind };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-inbox-'));
    messages = new FakeMessages();
    feed = new EmbeddedInbox({ messages, durable: async () => {}, log, journalDir: dir });
    arrivals = [];
    feed.onStored((a) => arrivals.push(a));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers accept with a receipt, then stores the row and hands it over under the row id', async () => {
    const { inbox } = open();
    const receipts = await Promise.all(['A', 'B'].map((id) => inbox.accept(message(id))));
    expect(receipts).toEqual([{ sequence: 1 }, { sequence: 2 }]);
    await feed.ingested();
    await until(() => arrivals.length === 2);
    expect(arrivals.map((a) => a.messageId)).toEqual([1001, 1002]);
    expect(arrivals[0].raw.toString('latin1')).toContain('|A|P|');
    await inbox.close();
    await feed.journalClosed();
    await feed.close(true);
  });

  it('accepts a repeated control id, stores it once and hands it over once', async () => {
    const { inbox } = open();
    await inbox.accept(message('SAME'));
    await inbox.accept(message('SAME'));
    await feed.ingested();
    await until(() => messages.rows.size === 1 && arrivals.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(arrivals).toHaveLength(1);
    await inbox.close();
    await feed.close(true);
  });

  it('clears the journal at a complete close; keeps it otherwise, and replay stores it at the next start', async () => {
    const first = open();
    await first.inbox.accept(message('KEPT-1'));
    await first.inbox.accept(message('KEPT-2'));
    // The thread ended without saying its journal closed (a stop past its grace).
    feed.journalEnded();
    await first.inbox.close();
    await feed.close(false);
    expect(listSegments(dir).length).toBeGreaterThan(0);

    const after = new FakeMessages();
    const next = new EmbeddedInbox({ messages: after, durable: async () => {}, log, journalDir: dir });
    expect(await next.replay()).toBe(2);
    expect([...after.rows.values()].map((r) => r.message.controlId)).toEqual(['KEPT-1', 'KEPT-2']);
    expect(listSegments(dir)).toEqual([]);
    // Replaying again does no harm: what the store has is skipped.
    expect(await next.replay()).toBe(0);

    const second = open();
    await second.inbox.accept(message('LAST'));
    await second.inbox.close();
    await feed.journalClosed();
    await feed.close(true);
    expect(listSegments(dir)).toEqual([]);
  });

  it('retries a row the store could not take, and confirms no segment past it meanwhile', async () => {
    const { inbox } = open({ segmentBytes: 4096 });
    messages.failNext = 1;
    const big = 'X'.repeat(1500);
    for (let i = 1; i <= 6; i++) await inbox.accept(message(`R${i}`, big));
    await feed.ingested();
    // The first record failed: every segment stays until it is stored.
    await new Promise((r) => setTimeout(r, 50));
    expect(listSegments(dir).length).toBeGreaterThanOrEqual(3);
    await until(() => messages.rows.size === 6);
    expect(arrivals.map((a) => a.raw.toString('latin1').split('|')[9]).sort()).toEqual([
      'R1',
      'R2',
      'R3',
      'R4',
      'R5',
      'R6',
    ]);
    // Stored now, the next confirmation lets whole segments go.
    await inbox.accept(message('R7', big));
    await feed.ingested();
    await until(() => listSegments(dir).length <= 2);
    await inbox.close();
    await feed.close(true);
  });

  it('says when the store is behind by pauseAt records, and when it caught up', async () => {
    const { inbox, behind } = open({ pauseAt: 3 });
    await Promise.all(['P1', 'P2', 'P3'].map((id) => inbox.accept(message(id))));
    expect(behind).toEqual([true]);
    await until(() => behind.length === 2);
    expect(behind).toEqual([true, false]);
    await inbox.close();
    await feed.close(true);
  });

  it('refuses to accept once closed, rather than acknowledge what it cannot keep', async () => {
    const { inbox } = open();
    await inbox.close();
    await expect(inbox.accept(message('LATE'))).rejects.toThrow(/closed/);
    await feed.close(true);
  });
});
