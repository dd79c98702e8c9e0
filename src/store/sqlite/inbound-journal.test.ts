import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InboundJournal } from './inbound-journal.ts';

const payload = (i: number, size = 100) => Buffer.from(`${`message ${i} `.padEnd(size, '.')}`);
const texts = (payloads: Buffer[]) => payloads.map((p) => p.toString().split(' ').slice(0, 2).join(' '));

describe('InboundJournal', () => {
  let dir: string;
  let settles: number;
  const settle = async () => {
    settles += 1;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
    settles = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back, after a crash, every record that was reported durable, in order', async () => {
    const { journal, payloads } = InboundJournal.open(dir, { settle });
    expect(payloads).toEqual([]);
    journal.start();
    const seqs = [1, 2, 3].map((i) => journal.append(payload(i)));
    await Promise.all(seqs.map((s) => journal.durable(s)));
    // One lone record is flushed on the loop, several at once on the thread pool: both paths.
    await journal.durable(journal.append(payload(4)));
    // No close(): the process died here.
    const reopened = InboundJournal.open(dir, { settle });
    expect(texts(reopened.payloads)).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
    expect(reopened.payloads[0].length).toBe(100);
    // Once the replayed records are safe elsewhere, start() retires them: the next crash finds none.
    reopened.journal.start();
    await reopened.journal.durable(reopened.journal.append(payload(5)));
    expect(reopened.journal.lastSeq()).toBe(5);
    expect(texts(InboundJournal.open(dir, { settle }).payloads)).toEqual(['message 5']);
  });

  it('stops at a torn record: what follows a damaged record is not trusted', async () => {
    const { journal } = InboundJournal.open(dir, { settle });
    journal.start();
    for (let i = 1; i <= 3; i++) await journal.durable(journal.append(payload(i)));
    // Damage the second record's payload (header 32 bytes, each record 16 + 100).
    const fd = openSync(join(dir, 'inbound-0.journal'), 'r+');
    writeSync(fd, Buffer.from('X'), 0, 1, 32 + 116 + 16 + 20);
    closeSync(fd);
    expect(texts(InboundJournal.open(dir, { settle }).payloads)).toEqual(['message 1']);
  });

  it('moves to the other segment only after the database has settled, and keeps what is not yet retired', async () => {
    const { journal } = InboundJournal.open(dir, { settle, segmentBytes: 1024, allocateAheadBytes: 512 });
    journal.start();
    // 116 bytes a record: 8 fit in a segment after its 32-byte header.
    for (let i = 1; i <= 20; i++) await journal.durable(journal.append(payload(i)));
    expect(settles).toBe(2);
    const found = texts(InboundJournal.open(dir, { settle }).payloads);
    // Segment 0 holds 17–20 (its third use); segment 1 still holds 9–16 from its first use.
    expect(found).toEqual(Array.from({ length: 12 }, (_, k) => `message ${k + 9}`));
    expect(readFileSync(join(dir, 'inbound-0.journal')).length).toBeLessThanOrEqual(1024);
  });

  it('asks the database to settle outside the caller (append runs inside an open savepoint)', async () => {
    let inAppend = false;
    let calledInside = false;
    const { journal } = InboundJournal.open(dir, {
      segmentBytes: 400,
      allocateAheadBytes: 256,
      settle: async () => {
        calledInside ||= inAppend;
      },
    });
    journal.start();
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 8; i++) {
      inAppend = true;
      waits.push(journal.durable(journal.append(payload(i))));
      inAppend = false;
    }
    await Promise.all(waits);
    expect(calledInside).toBe(false);
  });

  it('refuses new records once full when held (the database lost a commit), instead of reusing space', async () => {
    const { journal } = InboundJournal.open(dir, { settle, segmentBytes: 512, allocateAheadBytes: 256 });
    journal.start();
    for (let i = 1; i <= 3; i++) await journal.durable(journal.append(payload(i)));
    journal.hold();
    await journal.durable(journal.append(payload(4)));
    await expect(journal.durable(journal.append(payload(5)))).rejects.toThrow(/journal full/);
    expect(() => journal.append(payload(6))).toThrow(/journal full/);
    expect(settles).toBe(0);
    // Nothing was overwritten: all four durable records are still there.
    expect(texts(InboundJournal.open(dir, { settle }).payloads)).toEqual([
      'message 1',
      'message 2',
      'message 3',
      'message 4',
    ]);
  });
});
