import { createServer, type Server, type Socket } from 'node:net';
import { frameMllp, MllpDecoder } from '../../src/protocols/hl7/mllp.ts';

/**
 * An IHE PCD Alert Reporter's own MLLP listener, for PCD-05: it records every message it receives and
 * answers each with an ACK carrying `ackCode` (AA unless a test wants a refusal).
 */
export class TestAlertReporter {
  readonly received: string[] = [];
  ackCode = 'AA';
  private waiters: Array<() => void> = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TestAlertReporter> {
    const server = createServer();
    const reporter = new TestAlertReporter(server);
    server.on('connection', (socket) => reporter.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return reporter;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  private serve(socket: Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) {
        if (e.kind !== 'frame') continue;
        const text = e.body.toString('utf8');
        this.received.push(text);
        const control = text.split('\r')[0].split('|')[9] ?? '';
        socket.write(
          frameMllp(
            `MSH|^~\\&|MONITOR_GW|CENTRAL|SWITCHBOARD|RGH|20261122093000||ACK^R41^ACK|R${this.received.length}|P|2.6\rMSA|${this.ackCode}|${control}\r`,
          ),
        );
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  /** Resolves when `n` messages have arrived. */
  waitFor(n: number, timeoutMs = 5000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.received.length} of ${n} PCD-05 arrived`)),
        timeoutMs,
      );
      const check = () => {
        if (this.received.length >= n) {
          clearTimeout(timer);
          resolve(this.received.slice());
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Field n of the first segment named `name` (HL7 numbering; MSH-n counts MSH-1 as the separator). */
export function field(message: string, name: string, n: number): string {
  const seg = message.split('\r').find((s) => s.startsWith(`${name}|`)) ?? '';
  const parts = seg.split('|');
  return (name === 'MSH' ? parts[n - 1] : parts[n]) ?? '';
}
