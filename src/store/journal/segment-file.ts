import { closeSync, fsyncSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * On-disk shape of the inbound journal, shared by its writer (the ingest thread) and its reader (replay at
 * start). A journal is a folder of segment files `inbound-<n>.journal`, each written once from its start
 * into space allocated (zero-filled) ahead of the writer and never reused: a segment is deleted once
 * every record in it is on the disk in the database as well.
 *
 * Record: payload length u32, crc32 u32 (of the sequence number and the payload), sequence u64, payload.
 * A scan stops at a zero length (space not yet written) or a failed checksum (a write torn by a crash):
 * nothing after it in that segment was ever acknowledged.
 */
export const RECORD_HEAD_BYTES = 16;

const SEGMENT_NAME = /^inbound-(\d+)\.journal$/;

export function segmentPath(dir: string, number: number): string {
  return join(dir, `inbound-${String(number).padStart(8, '0')}.journal`);
}

/** Segment files in `dir`, oldest first. */
export function listSegments(dir: string): Array<{ number: number; path: string }> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((e) => e.match !== null)
    .map((e) => ({ number: Number(e.match?.[1]), path: join(dir, e.name) }))
    .sort((a, b) => a.number - b.number);
}

/** Fills in the checksum of a record head whose length and sequence are written. */
export function sealRecord(head: Buffer, payload: Buffer): void {
  head.writeUInt32LE(crc32(payload, crc32(head.subarray(8, 16))), 4);
}

export function recordHead(seq: number, payloadLength: number): Buffer {
  const head = Buffer.allocUnsafe(RECORD_HEAD_BYTES);
  head.writeUInt32LE(payloadLength, 0);
  head.writeBigUInt64LE(BigInt(seq), 8);
  return head;
}

/** The valid records of one segment, in order. */
export function readSegment(path: string): Array<{ seq: number; payload: Buffer }> {
  const fd = openSync(path, 'r');
  const records: Array<{ seq: number; payload: Buffer }> = [];
  try {
    const head = Buffer.allocUnsafe(RECORD_HEAD_BYTES);
    let at = 0;
    for (;;) {
      if (readSync(fd, head, 0, RECORD_HEAD_BYTES, at) < RECORD_HEAD_BYTES) break;
      const length = head.readUInt32LE(0);
      if (length === 0) break;
      const payload = Buffer.allocUnsafe(length);
      if (readSync(fd, payload, 0, length, at + RECORD_HEAD_BYTES) < length) break;
      if (crc32(payload, crc32(head.subarray(8, 16))) !== head.readUInt32LE(4)) break;
      records.push({ seq: Number(head.readBigUInt64LE(8)), payload });
      at += RECORD_HEAD_BYTES + length;
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** Makes a new or removed directory entry durable (fdatasync of a file does not cover its name). */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
