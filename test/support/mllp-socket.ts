import { connect, type Socket } from 'node:net';
import { MllpDecoder } from '../../src/protocols/hl7/mllp.ts';

/** A raw socket that collects every ACK frame it receives, for tests that write bytes by hand. */
export class RawMllpPeer {
  readonly acks: string[] = [];
  closed = false;
  private readonly decoder = new MllpDecoder();
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.decoder.push(chunk))
        if (e.kind === 'frame') this.acks.push(e.body.toString('utf8'));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** `localAddress` picks the source address (127.0.0.2, .3, …: one per sender, as real senders have). */
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawMllpPeer> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, localAddress }, () => resolve(new RawMllpPeer(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Resolves when `n` ACKs have arrived (or the socket closed). */
  waitForAcks(n: number, timeoutMs = 20000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.acks.length} of ${n} ACKs arrived`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.acks.slice(0, n));
        },
      });
      this.wake();
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.acks.length >= w.n || this.closed) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** MSA fields of an ACK. */
export function msa(ack: string): {
  code: string;
  controlId: string;
  text: string;
  err?: string;
  msh10: string;
} {
  const segs = ack.split('\r');
  const f = ack[3];
  const m = (segs.find((s) => s.startsWith('MSA')) ?? '').split(f);
  const mshFields = segs[0].split(f);
  return {
    code: m[1],
    controlId: m[2],
    text: m[3] ?? '',
    err: segs.find((s) => s.startsWith('ERR')),
    msh10: mshFields[9],
  };
}
