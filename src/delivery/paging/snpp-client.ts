/**
 * A Simple Network Paging Protocol client (RFC 1861, level 1; port 444). One page per connection:
 *
 *   S: 220 <greeting>          (RFC 1861 §4.2: 220 ready)
 *   C: PAGE <pager id>         S: 250 Pager ID Accepted
 *   C: MESS <one-line text>    S: 250 Message OK
 *   C: SEND                    S: 250 Message Sent Successfully   (or 554 / 550 on failure)
 *   C: QUIT                    S: 221 OK, Goodbye
 *
 * RFC 1861 §4.2: 2xx success, 421 the server is closing (try later), 5xx the command failed. The message is
 * one line (MESS is level 1; DATA is level 2 and optional), so line breaks become spaces and control
 * characters are dropped.
 */
import { connect, type Socket } from 'node:net';

export class SnppError extends Error {
  constructor(
    message: string,
    /** The reply code, or 0 when the connection failed. */
    readonly code: number,
  ) {
    super(message);
  }

  /** 5xx other than a closing server: sending the same page again would fail the same way. */
  get permanent(): boolean {
    return this.code >= 500 && this.code < 600;
  }
}

export interface SnppPage {
  host: string;
  port: number;
  pagerId: string;
  /** RFC 1861 allows a password after the pager id (PAGE <id> <password>). */
  password?: string;
  text: string;
  timeoutMs?: number;
}

/** Sends one page; resolves with the server's answer to SEND. */
export async function sendSnppPage(page: SnppPage): Promise<string> {
  const socket = await open(page.host, page.port, page.timeoutMs ?? 15000);
  const replies = new ReplyReader(socket);
  try {
    expect(await replies.next(), [220], 'greeting');
    const pager = page.password ? `${clean(page.pagerId)} ${clean(page.password)}` : clean(page.pagerId);
    socket.write(`PAGE ${pager}\r\n`);
    expect(await replies.next(), [250], 'PAGE');
    socket.write(`MESS ${clean(page.text)}\r\n`);
    expect(await replies.next(), [250], 'MESS');
    socket.write('SEND\r\n');
    const sent = expect(await replies.next(), [250], 'SEND');
    socket.write('QUIT\r\n');
    await replies.next().catch(() => undefined);
    return sent.line;
  } finally {
    socket.destroy();
  }
}

function clean(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\x00-\x1f\x7f]/g, '')
    .trim();
}

function expect(reply: { code: number; line: string }, ok: number[], step: string) {
  if (!ok.includes(reply.code)) throw new SnppError(`SNPP ${step}: ${reply.line}`, reply.code);
  return reply;
}

function open(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new SnppError(`SNPP server ${host}:${port} silent for ${timeoutMs} ms`, 0)),
    );
    socket.once('error', (err) => reject(new SnppError(`SNPP ${host}:${port}: ${err.message}`, 0)));
  });
}

/** Reads CRLF-terminated reply lines; a line is `NNN text` (RFC 1861 §4.2). */
class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private waiting?: { resolve: (l: string) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i = this.buffer.indexOf('\n');
      while (i >= 0) {
        this.lines.push(this.buffer.slice(0, i).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(i + 1);
        i = this.buffer.indexOf('\n');
      }
      this.wake();
    });
    const fail = (err: Error) => {
      this.failure ??= err instanceof SnppError ? err : new SnppError(`SNPP connection: ${err.message}`, 0);
      this.wake();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new SnppError('SNPP server closed the connection', 0)));
  }

  async next(): Promise<{ code: number; line: string }> {
    const line = await new Promise<string>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.wake();
    });
    const code = Number(line.slice(0, 3));
    return { code: Number.isInteger(code) ? code : 0, line };
  }

  private wake() {
    const w = this.waiting;
    if (!w) return;
    const line = this.lines.shift();
    if (line !== undefined) {
      this.waiting = undefined;
      w.resolve(line);
    } else if (this.failure) {
      this.waiting = undefined;
      w.reject(this.failure);
    }
  }
}
