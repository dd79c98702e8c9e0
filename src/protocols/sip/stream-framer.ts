/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261 section 18.3).
 *
 * Chunks may split a message anywhere or carry several messages. CRLFs between messages are
 * skipped; a double CRLF between messages is a keep-alive ping (RFC 5626 section 3.5.1), reported
 * through `onPing` so that the transport can answer with a single CRLF pong.
 *
 * After a framing error (bad Content-Length, a message above the size limit) the stream cannot be
 * resynchronised: `push` throws `SipParseError` and the connection should be answered and closed.
 */
import { SipParseError } from './errors.ts';
import { readErrorEcho } from './parser.ts';

export interface StreamFramerOptions {
  /** @defaultValue 65535 */
  maxMessageSize?: number;
  onPing?: () => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t]*$/gim;

export class SipStreamFramer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly maxSize: number;
  private readonly onPing: (() => void) | undefined;

  constructor(options: StreamFramerOptions = {}) {
    this.maxSize = options.maxMessageSize ?? 65535;
    this.onPing = options.onPing;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Adds bytes; returns every message completed by them, each as its own Buffer. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      this.skipKeepAlives();
      if (this.pending.length === 0) break;
      const frame = this.nextFrameLength();
      if (frame === undefined || this.pending.length < frame) break;
      out.push(Buffer.from(this.pending.subarray(0, frame)));
      this.pending = this.pending.subarray(frame);
    }
    return out;
  }

  private skipKeepAlives(): void {
    let i = 0;
    while (i < this.pending.length && (this.pending[i] === 0x0d || this.pending[i] === 0x0a)) i++;
    if (i === 0) return;
    // A lone CRLF may be the first half of a ping split across chunks: wait for more unless the
    // next message has started.
    if (i === this.pending.length && i < 4) return;
    if (this.pending.subarray(0, i).includes(CRLF2)) this.onPing?.();
    this.pending = this.pending.subarray(i);
  }

  /** Total length of the message at the head of the buffer, or undefined while headers are incomplete. */
  private nextFrameLength(): number | undefined {
    if (this.pending[0] === 0x0d || this.pending[0] === 0x0a) return undefined;
    const crlf = this.pending.indexOf(CRLF2);
    const lf = this.pending.indexOf(LF2);
    const useLf = lf >= 0 && (crlf < 0 || lf < crlf);
    const headerEnd = useLf ? lf : crlf;
    if (headerEnd < 0) {
      if (this.pending.length > this.maxSize) this.fail('Message Too Large', 413, this.pending.length);
      return undefined;
    }
    const bodyStart = headerEnd + (useLf ? 2 : 4);
    const head = this.pending.toString('latin1', 0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
    const values = [...head.matchAll(CONTENT_LENGTH)].map((m) => m[1]!);
    if (values.length > 1 && values.some((v) => v !== values[0])) {
      this.fail('Conflicting Content-Length header fields', 400, headerEnd);
    }
    const value = values[0] ?? '0';
    if (!/^[0-9]{1,9}$/.test(value)) this.fail('Malformed Content-Length', 400, headerEnd);
    const total = bodyStart + Number(value);
    if (total > this.maxSize) this.fail('Message Too Large', 413, headerEnd);
    return total;
  }

  private fail(reason: string, status: number, headerEnd: number): never {
    const isResponse = this.pending.subarray(0, 4).toString('latin1').toUpperCase() === 'SIP/';
    const err = new SipParseError(reason, isResponse ? null : status);
    if (!isResponse) err.echo = readErrorEcho(this.pending.toString('utf8', 0, headerEnd));
    this.pending = Buffer.alloc(0);
    throw err;
  }
}
