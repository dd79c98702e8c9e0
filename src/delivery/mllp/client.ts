import { connect, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { frameMllp, MllpDecoder } from '../../protocols/hl7/mllp.ts';

export interface MllpClientOptions {
  host: string;
  port: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string };
  /** How long to wait for each ACK. @defaultValue 30 s */
  ackTimeoutMs?: number;
}

/**
 * A plain MLLP sender: one persistent connection, one message at a time, waiting for each ACK
 * (stop-and-wait, as HL7 v2 senders do), or several in flight with `sendMany`.
 */
export class MllpClient {
  private socket?: Socket | TLSSocket;
  private readonly decoder = new MllpDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
  private waiting: Array<{
    resolve: (ack: string) => void;
    reject: (e: Error) => void;
    timer: NodeJS.Timeout;
  }> = [];
  private closedError?: Error;

  constructor(private readonly options: MllpClientOptions) {}

  async connect(): Promise<void> {
    const { host, port, tls } = this.options;
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s: Socket | TLSSocket = tls
        ? connectTls({ host, port, ...tls }, () => resolve(s))
        : connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.decoder.push(chunk)) {
        if (e.kind !== 'frame') continue;
        const w = this.waiting.shift();
        if (w) {
          clearTimeout(w.timer);
          w.resolve(e.body.toString('utf8'));
        }
      }
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the receiver')));
    this.socket = socket;
  }

  /** Sends one message and resolves with the raw ACK text. */
  send(message: string | Buffer): Promise<string> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('not connected'));
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiting.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error(`no ACK within ${this.options.ackTimeoutMs ?? 30000} ms`));
      }, this.options.ackTimeoutMs ?? 30000);
      this.waiting.push({ resolve, reject, timer });
      socket.write(frameMllp(message));
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => socket.end(() => resolve()));
    socket.destroy();
  }
}

/** MSA-1 and MSA-2 of an ACK, read without a full parse. */
export function readAck(ack: string): { code: string; controlId: string; text: string } {
  const field = ack.length > 3 ? ack[3] : '|';
  const msa = ack.split(/\r\n|\r|\n/).find((s) => s.startsWith('MSA'));
  const parts = msa ? msa.split(field) : [];
  return { code: parts[1] ?? '', controlId: parts[2] ?? '', text: parts[3] ?? '' };
}

/**
 * Messages in a file as analysts keep them: one or more messages, LF / CRLF / CR line endings, blank lines
 * between messages, batch headers, optionally already MLLP-framed. Each message comes back as bytes with CR
 * segment endings; the bytes of the text itself are untouched (an 8859/1 file stays 8859/1).
 */
export function splitMessages(file: Buffer): Buffer[] {
  // latin1 maps every byte to one char and back, so splitting on it never alters the message bytes.
  let text = file.toString('latin1');
  const bom = /^\xEF\xBB\xBF/;
  if (text.includes('\x0b'))
    text = text
      .split('\x0b')
      .map((s) => s.split('\x1c')[0])
      .join('\n');
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.replace(bom, ''));
  const messages: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' || /^(FHS|BHS|BTS|FTS)/.test(line)) continue;
    if (line.startsWith('MSH') && current.length) {
      messages.push(`${current.join('\r')}\r`);
      current = [];
    }
    current.push(line);
  }
  if (current.length) messages.push(`${current.join('\r')}\r`);
  return messages.filter((m) => m.startsWith('MSH')).map((m) => Buffer.from(m, 'latin1'));
}
