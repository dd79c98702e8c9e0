/**
 * A CC&C platform's HL7 staff-assignment listener over real MLLP: it records every message, keeps who
 * covers which role per ROL-1 (AD/UP set, DE releases) and answers each with an ACK whose code a test
 * chooses (AE and AR with an ERR segment, as receivers send them).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { frameMllp, MllpDecoder } from '../../src/protocols/hl7/mllp.ts';

export class CccListener {
  readonly received: string[] = [];
  /** shift id (ROL-1) + role code -> person id (ROL-4.1) the platform holds. */
  readonly holds = new Map<string, string>();
  /** The code of the next answers, and the ERR text with AE/AR. */
  answer: { code: 'AA' | 'AE' | 'AR'; error?: string } = { code: 'AA' };
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<CccListener> {
    const server = createServer();
    const listener = new CccListener(server);
    server.on('connection', (s) => listener.serve(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return listener;
  }

  get address(): string {
    const a = this.server.address();
    return `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
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
        const segments = text.split('\r').filter(Boolean);
        const control = segments[0].split('|')[9] ?? '';
        const { code, error } = this.answer;
        if (code === 'AA') {
          for (const rol of segments.filter((s) => s.startsWith('ROL|')).map((s) => s.split('|'))) {
            const key = `${rol[1]}/${rol[3].split('^')[0]}`;
            if (rol[2] === 'DE') {
              if (this.holds.get(key) === rol[4].split('^')[0]) this.holds.delete(key);
            } else this.holds.set(key, rol[4].split('^')[0]);
          }
        }
        const err = code === 'AA' ? '' : `\rERR|||207^Application internal error^HL70357|E||||${error ?? ''}`;
        socket.write(
          frameMllp(
            `MSH|^~\\&|CCC|RGH|SWITCHBOARD|RGH|20261207120000||ACK^A08^ACK|A${this.received.length}|P|2.5.1\rMSA|${code}|${control}${err}\r`,
          ),
        );
      }
    });
  }
}
