import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { controlIdSource } from '../../protocols/hl7/control-id.ts';
import type { InboundPort } from '../../routing/inbound-port.ts';
import type { MessageStore } from '../../store/port.ts';
import { MllpConnection } from './connection.ts';

export interface MllpListenerOptions {
  host: string;
  port: number;
  /** Largest frame accepted; past it an AR and the connection is closed. */
  maxFrameBytes: number;
  /** 0 keeps idle connections open forever. */
  idleTimeoutSeconds: number;
  maxConnections: number;
  tls: { enabled: boolean; certFile?: string; keyFile?: string; caFile?: string; requireClientCert: boolean };
}

export interface MllpListenerDeps {
  store: Pick<MessageStore, 'saveInbound'>;
  inbound: InboundPort;
  log: Logger;
  application: string;
  facility: string;
}

export type ListenerState = 'stopped' | 'starting' | 'listening' | 'draining' | 'failed';

export interface ListenerHealth {
  state: ListenerState;
  address?: string;
  port?: number;
  tls: boolean;
  connections: number;
  messagesReceived: number;
  error?: string;
}

/** The HL7 v2 MLLP listener: accept, store durably, then acknowledge; hand stored messages to routing. */
export class MllpListener {
  private server?: Server;
  private readonly connections = new Set<MllpConnection>();
  private state: ListenerState = 'stopped';
  private error?: string;
  private messages = 0;
  private paused = false;
  private readonly nextControlId = controlIdSource('SB');

  constructor(
    private readonly config: MllpListenerOptions,
    private readonly deps: MllpListenerDeps,
  ) {}

  async start(): Promise<{ host: string; port: number }> {
    this.state = 'starting';
    const onConnection = (socket: Socket) => this.accept(socket);
    const tls = this.config.tls;
    const server = tls.enabled
      ? createTlsServer(
          {
            cert: readFileSync(tls.certFile ?? ''),
            key: readFileSync(tls.keyFile ?? ''),
            ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
            requestCert: tls.requireClientCert,
            rejectUnauthorized: tls.requireClientCert,
          },
          onConnection,
        )
      : createServer(onConnection);
    server.maxConnections = this.config.maxConnections;
    server.on('tlsClientError', (err: Error) =>
      this.deps.log.warn({ err: err.message }, 'MLLP TLS handshake failed'),
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => {
        this.state = 'failed';
        this.error = err.message;
        reject(err);
      });
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    server.on('error', (err) => this.deps.log.error({ err }, 'MLLP listener error'));
    this.state = 'listening';
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.config.port;
    this.deps.log.info({ host: this.config.host, port, tls: tls.enabled }, 'MLLP listener ready');
    return { host: this.config.host, port };
  }

  private accept(socket: Socket): void {
    const log = this.deps.log;
    const conn = new MllpConnection(
      socket,
      {
        store: this.deps.store,
        inbound: this.deps.inbound,
        log,
        nextControlId: this.nextControlId,
        application: this.deps.application,
        facility: this.deps.facility,
        listener: 'mllp',
      },
      log,
      { maxFrameBytes: this.config.maxFrameBytes, idleTimeoutMs: this.config.idleTimeoutSeconds * 1000 },
    );
    this.connections.add(conn);
    if (this.paused) conn.setPaused(true);
    log.debug({ peer: conn.peer }, 'MLLP connection opened');
    socket.on('close', () => {
      this.messages += conn.received;
      this.connections.delete(conn);
      log.debug({ peer: conn.peer, messages: conn.received }, 'MLLP connection closed');
    });
  }

  /**
   * Stops reading from every sender while whatever takes the messages is behind (they wait, unanswered,
   * in their TCP buffers, as they would behind a slow engine), and starts again.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    for (const c of this.connections) c.setPaused(paused);
  }

  health(): ListenerHealth {
    const addr = this.server?.address();
    let inFlight = 0;
    for (const c of this.connections) inFlight += c.received;
    return {
      state: this.state,
      address: typeof addr === 'object' && addr ? addr.address : undefined,
      port: typeof addr === 'object' && addr ? addr.port : undefined,
      tls: this.config.tls.enabled,
      connections: this.connections.size,
      messagesReceived: this.messages + inFlight,
      error: this.error,
    };
  }

  /** Graceful stop: no new connections; what is in flight is stored and acknowledged; then close. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.state = 'draining';
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.drainAndClose()));
    await closed;
    this.state = 'stopped';
    this.server = undefined;
  }
}
