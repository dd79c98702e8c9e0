/**
 * The email-to-pager listener: an SMTP server (RFC 5321, via `smtp-server`) that takes mail for
 * `<pager number>@<one of our domains>`, stores it durably and only then answers 250 to the end of DATA
 * (RFC 5321 §4.2.5: a 250 there means the server has taken responsibility for the message). The stored
 * bytes are the mail as received with trace fields put in front, as a delivering MTA does: one
 * `Delivered-To:` per envelope recipient and a `Received:` line (RFC 5321 §4.4), so the routing core sees
 * the envelope without another channel. Then the message goes to the routing core like any other.
 *
 * Refusals in SMTP's own words: 550 for a recipient that is not ours, 552 for a message over the size
 * limit, 451 when the store is unavailable (the sender's MTA tries again later).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { MessageStore } from '../../store/port.ts';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  /** Domains we accept pages for; the local part must be a pager number. */
  domains: readonly string[];
  maxBytes: number;
}

export interface SmtpListenerDeps {
  store: MessageStore;
  inbound: InboundPort;
  log: Logger;
  /** Name in the Received: line and the greeting. */
  serverName?: string;
  now?: () => Date;
}

type SmtpCallback = (err?: Error | null) => void;

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export class SmtpListener {
  private server?: SMTPServer;
  private received = 0;
  private state: 'stopped' | 'listening' | 'failed' = 'stopped';
  private error?: string;

  constructor(
    private readonly options: SmtpListenerOptions,
    private readonly deps: SmtpListenerDeps,
  ) {}

  async start(): Promise<{ host: string; port: number }> {
    const domains = this.options.domains.map((d) => d.toLowerCase());
    const server = new SMTPServer({
      name: this.deps.serverName ?? 'switchboard',
      banner: 'Switchboard email-to-pager',
      authOptional: true,
      // Pages travel inside the hospital network; TLS termination belongs to the site's mail relay.
      disabledCommands: ['STARTTLS', 'AUTH'],
      size: this.options.maxBytes,
      logger: false,
      onRcptTo: (address, _session, callback: SmtpCallback) => {
        const [local, domain] = address.address.toLowerCase().split('@');
        if (!domain || !domains.includes(domain))
          return callback(smtpError(550, `5.1.2 not a paging domain here: ${domain ?? ''}`));
        if (!/^\+?[0-9][0-9.-]{2,31}$/.test(local))
          return callback(smtpError(550, '5.1.1 the local part must be a pager number'));
        callback();
      },
      onData: (stream, session, callback: SmtpCallback) => void this.take(stream, session, callback),
    });
    server.on('error', (err) => {
      this.error = err.message;
      this.deps.log.error({ err }, 'SMTP listener error');
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    this.state = 'listening';
    const addr = server.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.options.port;
    this.deps.log.info({ host: this.options.host, port }, 'SMTP (email-to-pager) ready');
    return { host: this.options.host, port };
  }

  private async take(stream: SMTPServerDataStream, session: SMTPServerSession, callback: SmtpCallback) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= this.options.maxBytes) chunks.push(chunk);
    }
    if (stream.sizeExceeded || size > this.options.maxBytes)
      return callback(smtpError(552, `5.3.4 message exceeds ${this.options.maxBytes} bytes`));
    const now = this.deps.now?.() ?? new Date();
    const body = Buffer.concat(chunks);
    const rcpts = session.envelope.rcptTo.map((r) => r.address);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const trace =
      rcpts.map((r) => `Delivered-To: ${r}\r\n`).join('') +
      `Received: from ${session.clientHostname || session.remoteAddress} ([${session.remoteAddress}]) by ${this.deps.serverName ?? 'switchboard'} with SMTP id ${session.id}; ${now.toUTCString()}\r\n`;
    const raw = Buffer.concat([Buffer.from(trace, 'latin1'), body]);
    const messageId = /^message-id:\s*<?([^>\r\n]+)>?/im.exec(body.toString('latin1', 0, 16384))?.[1]?.trim();
    try {
      const saved = await this.deps.store.saveInbound({
        listener: 'smtp',
        peer: `${session.remoteAddress}:${session.remotePort}`,
        sendingApplication: mailFrom,
        sendingFacility: '',
        receivingApplication: rcpts.join(','),
        receivingFacility: '',
        messageType: 'MAIL',
        triggerEvent: 'PAGE',
        // A resent mail (same Message-ID, same sender) is acknowledged again, not paged twice.
        controlId: messageId ?? `sha256:${createHash('sha256').update(body).digest('hex').slice(0, 40)}`,
        receivedAt: now,
        raw,
      });
      this.received += 1;
      callback(); // 250: stored
      if (!saved.duplicate) this.deps.inbound.accept({ messageId: saved.id, listener: 'smtp', raw });
    } catch (err) {
      this.deps.log.error({ err, peer: session.remoteAddress }, 'could not store mail');
      callback(smtpError(451, '4.3.0 could not store the message; try again later'));
    }
  }

  health() {
    const addr = this.server?.server.address();
    return {
      state: this.state,
      address: typeof addr === 'object' && addr ? addr.address : undefined,
      port: typeof addr === 'object' && addr ? addr.port : undefined,
      tls: false,
      connections: 0,
      messagesReceived: this.received,
      error: this.error,
    };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.state = 'stopped';
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
