/**
 * Local stand-ins for paging carriers, for tests: a WCTP carrier (node:http speaking the carrier side with
 * our codec), an SMTP server (smtp-server) and an SNPP server (RFC 1861 level 1, written here). Each records
 * what it received and can be told to fail.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { buildConfirmation, parseWctp, wctpFailure, wctpSuccess } from '../../protocols/wctp/index.ts';
import type { SubmitRequest } from '../../protocols/wctp/operations.ts';

function portOf(server: HttpServer | TcpServer): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

/** A WCTP carrier: answers every SubmitRequest with `failWith` (a WCTP code, or an HTTP status as 'http:503'). */
export class TestWctpCarrier {
  readonly pages: SubmitRequest[] = [];
  failWith?: number | `http:${number}`;
  private constructor(private readonly server: HttpServer) {}

  static async start(): Promise<TestWctpCarrier> {
    const server = createHttpServer();
    const carrier = new TestWctpCarrier(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const fail = carrier.failWith;
        if (typeof fail === 'string') {
          res.writeHead(Number(fail.slice(5))).end('unavailable');
          return;
        }
        const request = parseWctp(Buffer.concat(chunks).toString('utf8'));
        if (request.operation === 'SubmitRequest') carrier.pages.push(request);
        const result = fail ? wctpFailure(fail) : wctpSuccess(200, 'queued for delivery');
        res.writeHead(200, { 'content-type': 'text/xml' }).end(buildConfirmation(result));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return carrier;
  }

  get url(): string {
    return `http://127.0.0.1:${portOf(this.server)}/wctp`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** An SMTP server that keeps every mail; `refuse` answers RCPT TO with 550. */
export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  refuse = false;
  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<TestSmtpServer> {
    let self: TestSmtpServer | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        if (self?.refuse) {
          const err = new Error('no such pager') as Error & { responseCode: number };
          err.responseCode = 550;
          callback(err);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          self?.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    self = new TestSmtpServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return self;
  }

  get port(): number {
    return portOf(this.server.server as unknown as TcpServer);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An SNPP server (RFC 1861 level 1): PAGE, MESS, SEND, RESE, QUIT. `badPager` gets 550 on PAGE. */
export class TestSnppServer {
  readonly pages: Array<{ pager: string; message: string }> = [];
  readonly transcript: string[] = [];
  badPager?: string;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: TcpServer) {}

  static async start(): Promise<TestSnppServer> {
    const server = createTcpServer();
    const snpp = new TestSnppServer(server);
    server.on('connection', (socket) => snpp.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return snpp;
  }

  get port(): number {
    return portOf(this.server);
  }

  private serve(socket: Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pager = '';
    let message = '';
    let buffer = '';
    socket.setEncoding('latin1');
    socket.write('220 Test SNPP server ready\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        this.transcript.push(line);
        const [verb, ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (verb.toUpperCase().slice(0, 4)) {
          case 'PAGE':
            if (arg.split(' ')[0] === this.badPager) socket.write('550 Error, Invalid Pager ID\r\n');
            else {
              pager = arg.split(' ')[0];
              socket.write('250 Pager ID Accepted\r\n');
            }
            break;
          case 'MESS':
            message = arg;
            socket.write('250 Message OK\r\n');
            break;
          case 'SEND':
            if (!pager || !message) socket.write('503 Error, Pager ID or Message Incomplete\r\n');
            else {
              this.pages.push({ pager, message });
              socket.write('250 Message Sent Successfully\r\n');
            }
            break;
          case 'RESE':
            pager = '';
            message = '';
            socket.write('250 Reset OK\r\n');
            break;
          case 'QUIT':
            socket.end('221 OK, Goodbye\r\n');
            break;
          default:
            socket.write('500 Command Not Implemented, Try Again\r\n');
        }
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
