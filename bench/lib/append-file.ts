/**
 * The durable floor's file (the MLLP bench's C, the WCTP bench's B): a file whose space is allocated and
 * flushed before the run (zero-filled, so the disk has no size or block-map metadata to update), and
 * `onDisk(bytes)`, which appends the bytes and resolves once they are flushed. Bytes handed over in one
 * turn of the event loop, from every connection, share one write and one fdatasync (group commit): the
 * cheapest way to keep "answer after the bytes are on the disk". The file wraps around inside its
 * allocated space; the figure is about speed, not about keeping the bytes.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

/** Allocated once before the run; larger than any one turn's batch. */
const FILE_BYTES = 64 * 1024 * 1024;

export interface AppendFile {
  /** Appends `bytes`; `flushed` runs once they are on the disk, with the rest of this turn's. */
  append(bytes: Buffer, flushed: () => void): void;
  close(): void;
}

export function openAppendFile(file: string): AppendFile {
  const fd = openSync(file, 'w+');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < FILE_BYTES; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fdatasyncSync(fd);

  let position = 0;
  let bytesOfTurn: Buffer[] = [];
  let waiting: Array<() => void> = [];
  const flushTurn = () => {
    const batch = Buffer.concat(bytesOfTurn);
    bytesOfTurn = [];
    if (position + batch.length > FILE_BYTES) position = 0;
    writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    fdatasyncSync(fd);
    const flushed = waiting;
    waiting = [];
    for (const done of flushed) done();
  };
  return {
    append(bytes, flushed) {
      bytesOfTurn.push(bytes);
      waiting.push(flushed);
      if (waiting.length === 1) setImmediate(flushTurn);
    },
    close: () => closeSync(fd),
  };
}
