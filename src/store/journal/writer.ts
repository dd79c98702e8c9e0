import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import {
  listSegments,
  RECORD_HEAD_BYTES,
  recordHead,
  sealRecord,
  segmentPath,
  syncDirectory,
} from './segment-file.ts';

export interface JournalWriterOptions {
  /** Size past which writing moves to a new segment file. @defaultValue 64 MiB */
  segmentBytes?: number;
  /** Zero-filled space kept allocated ahead of the writer. @defaultValue 1 MiB */
  aheadBytes?: number;
}

interface Pending {
  head: Buffer;
  payload: Buffer;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

interface Segment {
  number: number;
  path: string;
  fd: number;
  /** Bytes allocated (zeros or records) in the file. */
  allocated: number;
  lastSeq: number;
}

/**
 * The writing side of the inbound journal (see segment-file.ts): where a received message becomes durable
 * before it is acknowledged. Records appended during one turn of the event loop, from every connection,
 * share one write and one fdatasync into space allocated beforehand, so the disk has no file size to
 * update; the flush runs on this thread, which does nothing else meanwhile (the MLLP ingest thread), so
 * frames that arrive during it wait in the socket buffers and join the next flush.
 *
 * Not thread-safe and not shared: one writer per folder, in one process.
 */
export class JournalWriter {
  private current: Segment;
  private readonly finished: Array<Omit<Segment, 'fd' | 'allocated'>> = [];
  private position = 0;
  private seq = 0;
  private pending: Pending[] = [];
  private scheduled = false;
  /** The segment a zero fill is under way in (its descriptor stays open until the fill ends). */
  private filling: Segment | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly segmentBytes: number;
  private readonly aheadBytes: number;
  /** Hears once when the disk refuses a write (the journal accepts nothing more afterwards). */
  onFailure?: (error: Error) => void;

  /** Starts a new segment after any already in `dir` (those belong to replay at start, not to this writer). */
  constructor(
    private readonly dir: string,
    options: JournalWriterOptions = {},
  ) {
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.aheadBytes = options.aheadBytes ?? 1024 * 1024;
    mkdirSync(dir, { recursive: true });
    const existing = listSegments(dir);
    this.current = this.createSegment((existing.at(-1)?.number ?? 0) + 1);
  }

  /** Resolves with the record's sequence number once it is on the disk; rejects when the disk refused it. */
  append(payload: Buffer): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the inbound journal is closed'));
    return new Promise((resolve, reject) => {
      this.seq += 1;
      this.pending.push({ head: recordHead(this.seq, payload.length), payload, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Every record up to `seq` is on the disk elsewhere too: segments holding only such records go. */
  confirm(seq: number): void {
    while (this.finished.length > 0 && this.finished[0].lastSeq <= seq) {
      const done = this.finished.shift();
      if (done) unlinkSync(done.path);
    }
  }

  /** The newest record's sequence number. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Writes what is pending, then closes the file. Segments stay for the owner to replay or delete. */
  close(): void {
    if (this.closed) return;
    if (this.pending.length > 0 && !this.failure) this.flush();
    this.closed = true;
    if (this.filling !== this.current) closeSync(this.current.fd);
  }

  private readonly flush = () => {
    this.scheduled = false;
    if (this.pending.length === 0 || this.failure) return;
    const batch = this.pending;
    this.pending = [];
    let length = 0;
    for (const p of batch) length += RECORD_HEAD_BYTES + p.payload.length;
    try {
      const segment = this.placeFor(length);
      const parts: Buffer[] = [];
      for (const p of batch) {
        sealRecord(p.head, p.payload);
        parts.push(p.head, p.payload);
      }
      const bytes = Buffer.concat(parts, length);
      let written = 0;
      while (written < length)
        written += writeSync(segment.fd, bytes, written, length - written, this.position + written);
      fdatasyncSync(segment.fd);
      this.position += length;
      for (const p of batch) {
        const seq = Number(p.head.readBigUInt64LE(8));
        segment.lastSeq = seq;
        p.resolve(seq);
      }
      this.allocateAhead(segment);
    } catch (error) {
      this.fail(error, batch);
    }
  };

  /** The segment the next `length` bytes go into at `position`, with the space allocated. */
  private placeFor(length: number): Segment {
    if (this.position > 0 && this.position + length > this.segmentBytes) this.nextSegment();
    // Never write where a zero fill may still land: a batch too large for what is allocated while a fill
    // is under way starts a new segment instead.
    if (this.position + length > this.current.allocated && this.filling === this.current) this.nextSegment();
    const segment = this.current;
    if (this.position + length > segment.allocated)
      this.allocate(segment, this.position + length + this.aheadBytes);
    return segment;
  }

  /** Synchronous zero fill up to `end`: only when a batch outgrew what was allocated ahead. */
  private allocate(segment: Segment, end: number): void {
    const from = segment.allocated;
    const zeros = Buffer.alloc(end - from);
    writeSync(segment.fd, zeros, 0, zeros.length, from);
    segment.allocated = end;
  }

  /**
   * Keeps zero-filled space ahead of the writer, filled on the thread pool and flushed there, so a
   * record's fdatasync never has a file size to update.
   */
  private allocateAhead(segment: Segment): void {
    if (this.filling || segment.allocated - this.position > this.aheadBytes / 2) return;
    const from = segment.allocated;
    const length = Math.min(this.aheadBytes, Math.max(0, this.segmentBytes + this.aheadBytes - from));
    if (length === 0) return;
    this.filling = segment;
    const finish = (filled: boolean) => {
      this.filling = undefined;
      if (filled) segment.allocated = Math.max(segment.allocated, from + length);
      // Writing moved on (a new segment, or close) while the fill ran: its descriptor is closed only now,
      // so the number cannot be reused by another file while a write to it is still queued.
      if (segment !== this.current || this.closed) closeSync(segment.fd);
    };
    write(segment.fd, Buffer.alloc(length), 0, length, from, (error) => {
      if (error) return finish(false);
      fdatasync(segment.fd, (syncError) => finish(!syncError));
    });
  }

  private nextSegment(): void {
    const old = this.current;
    this.current = this.createSegment(old.number + 1);
    if (this.filling !== old) closeSync(old.fd);
    this.finished.push({ number: old.number, path: old.path, lastSeq: old.lastSeq });
    this.position = 0;
  }

  private createSegment(number: number): Segment {
    const path = segmentPath(this.dir, number);
    const fd = openSync(path, 'wx+');
    const zeros = Buffer.alloc(this.aheadBytes);
    writeSync(fd, zeros, 0, zeros.length, 0);
    fdatasyncSync(fd);
    syncDirectory(this.dir);
    return { number, path, fd, allocated: zeros.length, lastSeq: this.seq };
  }

  /** The disk refused a write: nothing more is acknowledged through this journal. */
  private fail(error: unknown, batch: Pending[]): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    for (const p of [...batch, ...this.pending.splice(0)]) p.reject(this.failure);
    this.onFailure?.(this.failure);
  }
}
