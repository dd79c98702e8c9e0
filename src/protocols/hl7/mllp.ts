/**
 * MLLP (Minimal Lower Layer Protocol, HL7 v2 Appendix C): every message travels as
 *   <VT 0x0B> message bytes <FS 0x1C><CR 0x0D>
 *
 * The decoder survives what real networks and real senders do: a frame split at any byte (including
 * between FS and CR), several frames in one chunk, junk, blank lines or a BOM between frames, and a
 * frame that grows past the size limit (reported once, then the connection is the caller's to close).
 * It keeps only the bytes of the frame in progress and copies each complete frame out once.
 */

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export interface MllpDecoderOptions {
  /** Largest message body accepted, in bytes. @defaultValue 1 MiB */
  maxFrameBytes?: number;
}

export type MllpEvent =
  | { kind: 'frame'; body: Buffer }
  /** A frame grew past maxFrameBytes; `head` holds its first bytes so the caller can still answer it. */
  | { kind: 'oversize'; head: Buffer; size: number };

export class MllpDecoder {
  private readonly max: number;
  private chunks: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** Saw FS as the last byte of a chunk; the CR may come in the next one. */
  private pendingFs = false;
  private oversized = false;

  constructor(options: MllpDecoderOptions = {}) {
    this.max = options.maxFrameBytes ?? 1024 * 1024;
  }

  /** Feed bytes as they arrive; returns the events completed by them, in order. */
  push(chunk: Buffer): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    if (this.pendingFs) {
      this.pendingFs = false;
      // FS alone ends the frame as well: lenient with senders that omit the trailing CR.
      this.finishFrame(events);
      if (chunk.length > 0 && chunk[0] === CR) i = 1;
    }
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, i);
        if (start < 0) return events; // bytes outside a frame are junk between frames
        this.inFrame = true;
        i = start + 1;
        continue;
      }
      const end = chunk.indexOf(FS, i);
      if (end < 0) {
        this.append(chunk.subarray(i), events);
        return events;
      }
      this.append(chunk.subarray(i, end), events);
      if (end + 1 >= chunk.length) {
        this.pendingFs = true;
        return events;
      }
      this.finishFrame(events);
      i = chunk[end + 1] === CR ? end + 2 : end + 1;
    }
    return events;
  }

  /** Bytes held for an unfinished frame (for diagnostics and tests). */
  get buffered(): number {
    return this.size;
  }

  private append(part: Buffer, events: MllpEvent[]): void {
    if (part.length === 0) return;
    if (this.oversized) return;
    // A VT inside a frame means the sender gave up on the previous frame and started anew.
    const restart = part.lastIndexOf(VT);
    if (restart >= 0) {
      this.chunks = [];
      this.size = 0;
      part = part.subarray(restart + 1);
    }
    this.chunks.push(part);
    this.size += part.length;
    if (this.size > this.max) {
      this.oversized = true;
      const head = Buffer.concat(this.chunks).subarray(0, 4096);
      events.push({ kind: 'oversize', head: Buffer.from(head), size: this.size });
      this.chunks = [];
    }
  }

  private finishFrame(events: MllpEvent[]): void {
    if (!this.oversized) {
      const body =
        this.chunks.length === 1 ? Buffer.from(this.chunks[0]) : Buffer.concat(this.chunks, this.size);
      events.push({ kind: 'frame', body });
    }
    this.chunks = [];
    this.size = 0;
    this.inFrame = false;
    this.oversized = false;
  }
}

/** Wraps one message in an MLLP frame. */
export function frameMllp(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = VT;
  body.copy(out, 1);
  out[body.length + 1] = FS;
  out[body.length + 2] = CR;
  return out;
}
