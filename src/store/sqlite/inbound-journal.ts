import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  write,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The inbound journal: where a received message is made durable before it is acknowledged.
 *
 * An ACK has to wait for the disk, and on one stop-and-wait connection that wait is the whole story. A
 * SQLite commit writes every page it touched (the row, three index pages) and fsyncs the WAL; this
 * journal writes the message itself, once, with one write and fdatasync into space that was allocated
 * (zero-filled) beforehand, so the disk has no file-size metadata to update: 125–140 µs here against
 * 180–230 µs for a SQLite commit of the same row (see docs/storage.md). The database row is written in the
 * same turn, in the open transaction, and reaches the disk lazily with the WAL; after a crash, opening the
 * store replays the journal into the database, so an acknowledged message is never lost.
 *
 * Two segment files are used in turn. A segment is reused only when every record in it is on the disk in
 * the database as well (`settle`, supplied by the store, commits and flushes the WAL). Each segment
 * starts with a header carrying a generation number that is part of every record's checksum, so records
 * left from an earlier use of the file fail their check and end the scan.
 *
 * Layout: header (32 bytes) = "SBJ1", version u32, generation u64, reserved. Record = payload length
 * u32, crc32 u32 (of generation, sequence and payload), sequence u64, payload.
 */

const MAGIC = 0x314a4253; // "SBJ1" read as little-endian u32
const VERSION = 1;
const HEADER_BYTES = 32;
const RECORD_HEAD_BYTES = 16;
const SEGMENTS = 2;

export interface JournalOptions {
  /** Size at which writing moves to the other segment. @defaultValue 16 MiB */
  segmentBytes?: number;
  /** Zero-filled space kept allocated ahead of the write position. @defaultValue 1 MiB */
  allocateAheadBytes?: number;
  /** Puts every record appended so far on the disk in the database too; a segment is reused after it. */
  settle: () => Promise<void>;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Segment {
  fd: number;
  generation: bigint;
  /** Bytes known to be allocated (written, zeros or records) in the file. */
  allocated: number;
}

/** What opening the journal found: payloads of every valid record, oldest first. */
export interface Recovered {
  journal: InboundJournal;
  payloads: Buffer[];
}

export class InboundJournal {
  private readonly segments: Segment[];
  private current = 0;
  private position = HEADER_BYTES;
  private seq: number;
  private durableSeq: number;
  private pending: Buffer[] = [];
  private pendingLastSeq = 0;
  private flushScheduled = false;
  /** A flush on the thread pool, or a move to the other segment, is under way. */
  private busy = false;
  private extending = false;
  private extendingFrom = 0;
  private waiters: Waiter[] = [];
  private held = false;
  private closed = false;
  private failure: unknown;
  private readonly segmentBytes: number;
  private readonly aheadBytes: number;

  /**
   * Opens (creating if needed) the journal in `dir` and returns the payloads of the records it holds.
   * The caller must put them in the database and make that durable, then call `start()`, which begins a
   * new generation in both segments (the replayed records are no longer needed).
   */
  static open(dir: string, options: JournalOptions): Recovered {
    mkdirSync(dir, { recursive: true });
    const found: Array<{ seq: number; payload: Buffer }> = [];
    const segments: Segment[] = [];
    let lastSeq = 0;
    let generation = 0n;
    for (let i = 0; i < SEGMENTS; i++) {
      const path = join(dir, `inbound-${i}.journal`);
      const fresh = !existsSync(path);
      const fd = openSync(path, fresh ? 'w+' : 'r+');
      const segment: Segment = { fd, generation: 0n, allocated: fstatSync(fd).size };
      if (!fresh) {
        const scan = scanSegment(fd, segment.allocated);
        segment.generation = scan.generation;
        if (scan.generation > generation) generation = scan.generation;
        for (const r of scan.records) {
          found.push(r);
          if (r.seq > lastSeq) lastSeq = r.seq;
        }
      }
      closeSync(fd);
      segment.fd = openSync(path, 'r+');
      segments.push(segment);
    }
    found.sort((a, b) => a.seq - b.seq);
    const journal = new InboundJournal(segments, lastSeq, generation, options);
    return { journal, payloads: found.map((r) => r.payload) };
  }

  private constructor(
    segments: Segment[],
    lastSeq: number,
    private generation: bigint,
    private readonly options: JournalOptions,
  ) {
    this.segments = segments;
    this.seq = lastSeq;
    this.durableSeq = lastSeq;
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.aheadBytes = options.allocateAheadBytes ?? 1024 * 1024;
  }

  /**
   * Starts a new generation in both segments (after recovered records were made durable elsewhere) and
   * allocates the first stretch of the first segment. Synchronous: runs once at start-up.
   */
  start(): void {
    for (let i = SEGMENTS - 1; i >= 0; i--) {
      this.generation += 1n;
      const segment = this.segments[i];
      segment.generation = this.generation;
      writeSync(segment.fd, headerFor(this.generation), 0, HEADER_BYTES, 0);
      segment.allocated = Math.max(segment.allocated, HEADER_BYTES);
    }
    this.current = 0;
    this.position = HEADER_BYTES;
    const first = this.segments[0];
    if (first.allocated < this.aheadBytes) {
      writeSync(
        first.fd,
        Buffer.alloc(this.aheadBytes - HEADER_BYTES),
        0,
        this.aheadBytes - HEADER_BYTES,
        HEADER_BYTES,
      );
      first.allocated = this.aheadBytes;
    }
  }

  /** Adds a record; it is written with the next write (at once when none is under way). Returns its number. */
  append(payload: Buffer): number {
    if (this.closed) throw new Error('the inbound journal is closed');
    if (this.failure !== undefined) throw this.failure;
    this.seq += 1;
    const head = Buffer.allocUnsafe(RECORD_HEAD_BYTES);
    head.writeUInt32LE(payload.length, 0);
    head.writeBigUInt64LE(BigInt(this.seq), 8);
    this.pending.push(head, payload);
    this.pendingLastSeq = this.seq;
    this.scheduleFlush();
    return this.seq;
  }

  /** The number of the newest record. */
  lastSeq(): number {
    return this.seq;
  }

  /** Resolves once record `seq` (by default every record so far) is on the disk. */
  durable(seq = this.seq): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * Never reuse a segment again in this process: the database lost writes it had been given (a failed
   * commit), so the journal is the only copy of some records until the next start replays them.
   */
  hold(): void {
    this.held = true;
  }

  /** Stops writing. Call after the database has put everything on the disk: waiting callers are released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const s of this.segments) closeSync(s.fd);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  /**
   * Writes every record appended during this turn, from every connection, with one write and one
   * fdatasync. A lone record (one sender waiting, stop-and-wait) is flushed on this thread: about 130 µs
   * here, where a round trip through libuv's thread pool added 60–100 µs to each ACK. Several records
   * mean several senders, and then the loop has other work: the flush goes to the thread pool.
   */
  private readonly flush = () => {
    this.flushScheduled = false;
    if (this.busy || this.pending.length === 0 || this.closed) return;
    let length = 0;
    for (const p of this.pending) length += p.length;
    if (this.position + length > this.segmentBytes && this.position > HEADER_BYTES) {
      this.switchSegment();
      return;
    }
    // Never write where a zero fill is still under way: the two could land in either order.
    if (this.extending && this.position + length > this.extendingFrom) return;
    const parts = this.pending;
    const lastSeq = this.pendingLastSeq;
    this.pending = [];
    // Each record's checksum covers the segment's generation, its sequence number and its payload.
    const seed = crc32(generationBytes(this.generation));
    for (let i = 0; i < parts.length; i += 2) {
      const head = parts[i];
      head.writeUInt32LE(crc32(parts[i + 1], crc32(head.subarray(8, 16), seed)), 4);
    }
    const buffer = Buffer.concat(parts, length);
    const segment = this.segments[this.current];
    const at = this.position;
    this.position += length;
    if (parts.length === 2) {
      try {
        writeFully(segment.fd, buffer, at);
        fdatasyncSync(segment.fd);
      } catch (error) {
        this.fail(error);
        return;
      }
      this.flushed(segment, lastSeq);
      return;
    }
    this.busy = true;
    const done = (error: unknown) => {
      this.busy = false;
      if (this.closed) return;
      if (error) this.fail(error);
      else this.flushed(segment, lastSeq);
    };
    write(segment.fd, buffer, 0, length, at, (error, written) => {
      if (error || written !== length) done(error ?? new Error('short write to the inbound journal'));
      else fdatasync(segment.fd, done);
    });
  };

  private flushed(segment: Segment, lastSeq: number): void {
    this.settleWaiters(lastSeq);
    this.allocateAhead(segment);
    this.scheduleFlush();
  }

  /**
   * Keeps zero-filled space allocated ahead of the writer (on the thread pool: a megabyte takes
   * milliseconds), so a record's fdatasync has no file size to update.
   */
  private allocateAhead(segment: Segment): void {
    if (this.extending || segment.allocated - this.position > this.aheadBytes / 2) return;
    const from = Math.max(segment.allocated, this.position);
    const length = Math.min(this.segmentBytes - from, this.aheadBytes);
    if (length <= 0) return;
    this.extending = true;
    this.extendingFrom = from;
    write(segment.fd, Buffer.alloc(length), 0, length, from, (error) => {
      if (error || this.closed) {
        this.extending = false;
        return;
      }
      fdatasync(segment.fd, () => {
        this.extending = false;
        if (this.closed) return;
        segment.allocated = Math.max(segment.allocated, from + length);
        this.scheduleFlush();
      });
    });
  }

  /** Moves to the other segment once every record in it is on the disk in the database too. */
  private switchSegment(): void {
    if (this.held) {
      this.fail(new Error('inbound journal full: a failed database commit holds it until restart'));
      return;
    }
    this.busy = true;
    const next = (this.current + 1) % SEGMENTS;
    const segment = this.segments[next];
    this.options.settle().then(
      () => {
        this.busy = false;
        if (this.closed) return;
        // The new generation's header is on the disk before any record of it: the records left from the
        // segment's last use now fail their checksums.
        try {
          this.generation += 1n;
          writeSync(segment.fd, headerFor(this.generation), 0, HEADER_BYTES, 0);
          fdatasyncSync(segment.fd);
        } catch (error) {
          this.fail(error);
          return;
        }
        segment.generation = this.generation;
        segment.allocated = Math.max(segment.allocated, HEADER_BYTES);
        this.current = next;
        this.position = HEADER_BYTES;
        this.scheduleFlush();
      },
      (error: unknown) => {
        this.busy = false;
        this.fail(error);
      },
    );
  }

  private settleWaiters(seq: number): void {
    this.durableSeq = seq;
    if (this.waiters.length === 0) return;
    const remaining: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= seq) w.resolve();
      else remaining.push(w);
    }
    this.waiters = remaining;
  }

  /** A write failed: nothing more is acknowledged through this journal (the store answers with errors). */
  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
    this.pending = [];
  }
}

function writeFully(fd: number, buffer: Buffer, at: number): void {
  let written = 0;
  while (written < buffer.length)
    written += writeSync(fd, buffer, written, buffer.length - written, at + written);
}

function generationBytes(generation: bigint): Buffer {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeBigUInt64LE(generation, 0);
  return bytes;
}

function headerFor(generation: bigint): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(VERSION, 4);
  header.writeBigUInt64LE(generation, 8);
  return header;
}

/** Reads a segment's header and its valid records, stopping at the first that fails its checksum. */
function scanSegment(
  fd: number,
  size: number,
): { generation: bigint; records: Array<{ seq: number; payload: Buffer }> } {
  const records: Array<{ seq: number; payload: Buffer }> = [];
  if (size < HEADER_BYTES) return { generation: 0n, records };
  const data = Buffer.allocUnsafe(size);
  let read = 0;
  while (read < size) {
    const n = readSync(fd, data, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  if (data.readUInt32LE(0) !== MAGIC || data.readUInt32LE(4) !== VERSION) return { generation: 0n, records };
  const generation = data.readBigUInt64LE(8);
  const seed = crc32(data.subarray(8, 16));
  let at = HEADER_BYTES;
  while (at + RECORD_HEAD_BYTES <= read) {
    const length = data.readUInt32LE(at);
    const end = at + RECORD_HEAD_BYTES + length;
    if (length === 0 || end > read) break;
    const payload = data.subarray(at + RECORD_HEAD_BYTES, end);
    const crc = crc32(payload, crc32(data.subarray(at + 8, at + 16), seed));
    if (crc !== data.readUInt32LE(at + 4)) break;
    records.push({ seq: Number(data.readBigUInt64LE(at + 8)), payload: Buffer.from(payload) });
    at = end;
  }
  return { generation, records };
}
