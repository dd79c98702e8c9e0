import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../port.ts';
import { decodeInbound, encodeInbound } from './record.ts';
import { listSegments, readSegment } from './segment-file.ts';
import { JournalWriter } from './writer.ts';

const message = (controlId: string, raw = `MSH|^~\\&|LAB|RGH|||20260101||ORU^R01|${controlId}|P|2.5.1\r`) =>
  ({
    listener: 'mllp',
    peer: '10.0.0.7:41000',
    sendingApplication: 'LAB',
    sendingFacility: 'RGH',
    receivingApplication: 'SB',
    receivingFacility: 'RGH',
    messageType: 'ORU',
    triggerEvent: 'R01',
    controlId,
    receivedAt: new Date('2026-12-06T10:00:00.123Z'),
    raw: Buffer.from(raw, 'latin1'),
  }) satisfies InboundMessage;

const recordsIn = (dir: string) =>
  listSegments(dir).flatMap((s) =>
    readSegment(s.path).map((r) => ({ seq: r.seq, m: decodeInbound(r.payload) })),
  );

describe('inbound journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a message, metadata and raw bytes exactly (non-ASCII, CR, binary)', () => {
    const m = message('RT-1', 'MSH|^~\\&|LAB|RGH\rOBX|1|ST|||Müller \u00e9\r');
    const raw = Buffer.concat([m.raw, Buffer.from([0x00, 0xff, 0x0b, 0x1c])]);
    expect(decodeInbound(encodeInbound({ ...m, raw }))).toEqual({ ...m, raw });
  });

  it('numbers records in order, makes each durable before it resolves, and reads them back', async () => {
    const journal = new JournalWriter(dir);
    // Appended in one turn: they share one write and one flush, and resolve in order.
    const seqs = await Promise.all(['A', 'B', 'C'].map((id) => journal.append(encodeInbound(message(id)))));
    expect(seqs).toEqual([1, 2, 3]);
    expect(await journal.append(encodeInbound(message('D')))).toBe(4);
    journal.close();
    expect(recordsIn(dir).map((r) => `${r.seq}:${r.m.controlId}`)).toEqual(['1:A', '2:B', '3:C', '4:D']);
  });

  it('keeps space allocated ahead of the writer, so a flush has no file size to change', async () => {
    const journal = new JournalWriter(dir, { aheadBytes: 64 * 1024 });
    await journal.append(encodeInbound(message('Z')));
    const [segment] = listSegments(dir);
    expect(statSync(segment.path).size).toBeGreaterThanOrEqual(64 * 1024);
    journal.close();
  });

  it('stops reading at a torn record: nothing after it was ever acknowledged', async () => {
    const journal = new JournalWriter(dir);
    for (const id of ['T1', 'T2', 'T3']) await journal.append(encodeInbound(message(id)));
    journal.close();
    const [segment] = listSegments(dir);
    const records = readSegment(segment.path);
    // Flip one byte inside the second record's payload, as a write cut short by a power loss might.
    const secondAt = 16 + records[0].payload.length + 16 + 10;
    const bytes = readFileSync(segment.path);
    bytes[secondAt] ^= 0xff;
    writeFileSync(segment.path, bytes);
    expect(recordsIn(dir).map((r) => r.m.controlId)).toEqual(['T1']);
  });

  it('moves to a new segment when one is full and deletes segments the store has confirmed', async () => {
    const journal = new JournalWriter(dir, { segmentBytes: 4096, aheadBytes: 4096 });
    const big = 'X'.repeat(1500);
    for (let i = 1; i <= 9; i++) await journal.append(encodeInbound(message(`S${i}`, big)));
    const before = listSegments(dir);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(recordsIn(dir).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The store holds 1–5 on the disk: whole segments up to there go, the rest stays.
    journal.confirm(5);
    const after = recordsIn(dir).map((r) => r.seq);
    expect(after.length).toBeLessThan(9);
    expect(after.at(-1)).toBe(9);
    expect(after[0]).toBeLessThanOrEqual(6);
    journal.close();
  });

  it('starts after segments left by an earlier run, never writing into them', async () => {
    const first = new JournalWriter(dir);
    await first.append(encodeInbound(message('OLD')));
    first.close();
    const second = new JournalWriter(dir);
    await second.append(encodeInbound(message('NEW')));
    second.close();
    expect(readdirSync(dir)).toHaveLength(2);
    expect(recordsIn(dir).map((r) => r.m.controlId)).toEqual(['OLD', 'NEW']);
  });

  it('rejects appends after close instead of acknowledging what it cannot write', async () => {
    const journal = new JournalWriter(dir);
    journal.close();
    await expect(journal.append(encodeInbound(message('LATE')))).rejects.toThrow(/closed/);
  });
});
