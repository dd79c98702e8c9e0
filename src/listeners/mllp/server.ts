import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { controlIdSource } from '../../protocols/hl7/control-id.ts';
import type { InboxPort } from '../../store/inbox-port.ts';
import { MllpConnection } from './connection.ts';
import { type AllowedSender, type RefusalReason, SenderGate } from './sender-gate.ts';
import { type TrafficBatch, TrafficTally } from './traffic-tally.ts';

export interface MllpListenerOptions {
  host: string;
  port: number;
  /** Largest frame accepted; past it an AR and the connection is closed. */
  maxFrameBytes: number;
  /** 0 keeps idle connections open forever. */
  idleTimeoutSeconds: number;
  maxConnections: number;
  /** Connections one source address may hold at once. */
  maxConnectionsPerAddress: number;
  /** Who may connect, by address or network and/or client certificate; empty lets anyone connect. */
  allowedSenders: AllowedSender[];
  /** The last of `maxConnections` kept for known senders (allow-listed, or that sent a stored message). */
  reservedConnections: number;
  tls: { enabled: boolean; certFile?: string; keyFile?: string; caFile?: string; requireClientCert: boolean };
}

export interface MllpListenerDeps {
  /** Where a message is kept durably before its ACK; the store hands it to routing from there. */
  inbox: InboxPort;
  log: Logger;
  application: string;
  facility: string;
  /** Addresses already known to have sent stored messages (kept across a restart of the listener). */
  knownSenders?: Iterable<string>;
  /** Hears of each address that becomes a known sender. */
  onKnownSender?: (address: string) => void;
}

export type ListenerState = 'stopped' | 'starting' | 'listening' | 'draining' | 'failed';

export interface ListenerHealth {
  state: ListenerState;
  address?: string;
  port?: number;
  tls: boolean;
  connections: number;
  messagesReceived: number;
  /** Connections closed at once since start, by why (see SenderGate). */
  refusedConnections: Record<RefusalReason, number>;
  /** Connections not being read now because their sender does not read its ACKs. */
  connectionsWaitingForAckReader: number;
  /** ACK bytes written and not yet taken by the network, now, over every connection. */
  ackBacklogBytes: number;
  /** The most ACK bytes one connection held unsent at once since start. */
  largestAckBacklogBytes: number;
  /** Reading from no sender now, because what takes the messages (the store, routing) is behind. */
  holdingSenders: boolean;
  error?: string;
}

/** The HL7 v2 MLLP listener: frame, hand each message to the inbox, acknowledge once the inbox has it. */
export class MllpListener {
  private server?: Server;
  private readonly connections = new Set<MllpConnection>();
  private state: ListenerState = 'stopped';
  private error?: string;
  private messages = 0;
  private paused = false;
  private largestAckBacklog = 0;
  private readonly nextControlId = controlIdSource('SB');
  private readonly gate: SenderGate;
  private readonly traffic = new TrafficTally();
  /** When a refusal was last logged per sender and reason, and how many were not logged since. */
  private readonly refusalsLogged = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly config: MllpListenerOptions,
    private readonly deps: MllpListenerDeps,
  ) {
    this.gate = new SenderGate(config, deps.knownSenders);
  }

  async start(): Promise<{ host: string; port: number }> {
    this.state = 'starting';
    const onConnection = (socket: Socket) => this.accept(socket);
    const tls = this.config.tls;
    const certificates = this.config.allowedSenders.some(
      (s) => s.certificateSubject !== undefined || s.certificateFingerprint !== undefined,
    );
    const server = tls.enabled
      ? createTlsServer(
          {
            cert: readFileSync(tls.certFile ?? ''),
            key: readFileSync(tls.keyFile ?? ''),
            ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
            // An allow-list by certificate needs to see one even where certificates are not required.
            requestCert: tls.requireClientCert || certificates,
            rejectUnauthorized: tls.requireClientCert,
          },
          onConnection,
        )
      : createServer(onConnection);
    // The gate counts connections and refuses them itself (the server's own cap would reset a real
    // sender as readily as an idle one). It sees each TCP connection first, before any TLS handshake.
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
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

  /** Admits or refuses a TCP connection as it arrives (see SenderGate). */
  private admit(socket: Socket): void {
    const address = socket.remoteAddress;
    const verdict = this.gate.arrive(address, this.config.tls.enabled);
    if (!verdict.admit) {
      this.logRefusal(address, verdict.reason);
      socket.destroy();
      return;
    }
    socket.once('close', () => this.gate.release(address));
  }

  /** One line per sender and reason a minute: a flood of refusals must not become a flood of logs. */
  private logRefusal(address: string | undefined, reason: RefusalReason): void {
    const key = `${reason} ${address}`;
    const now = Date.now();
    const last = this.refusalsLogged.get(key);
    if (last && now - last.at < 60_000) {
      last.since += 1;
      return;
    }
    if (this.refusalsLogged.size > 10_000) this.refusalsLogged.clear();
    this.refusalsLogged.set(key, { at: now, since: 0 });
    const why: Record<RefusalReason, string> = {
      notAllowed: 'not in listeners.mllp.allowedSenders',
      perAddress: 'listeners.mllp.maxConnectionsPerAddress reached for this address',
      full: 'listeners.mllp.maxConnections reached',
      reserved: 'only the reserved connections are left, kept for known senders',
    };
    this.deps.log.warn(
      { address, reason, refusedSinceLastLine: last?.since ?? 0 },
      `MLLP connection refused: ${why[reason]}`,
    );
  }

  private accept(socket: Socket): void {
    const log = this.deps.log;
    if (this.config.tls.enabled && this.gate.needsCertificate(socket.remoteAddress)) {
      const tlsSocket = socket as TLSSocket;
      const cert = tlsSocket.getPeerCertificate();
      const verdict = this.gate.certificate(socket.remoteAddress, {
        authorized: tlsSocket.authorized,
        subjectCN: typeof cert?.subject?.CN === 'string' ? cert.subject.CN : undefined,
        fingerprint256: cert?.fingerprint256,
      });
      if (!verdict.admit) {
        this.logRefusal(socket.remoteAddress, verdict.reason);
        socket.destroy();
        return;
      }
    }
    const address = socket.remoteAddress;
    const conn = new MllpConnection(
      socket,
      {
        inbox: this.deps.inbox,
        log,
        nextControlId: this.nextControlId,
        application: this.deps.application,
        facility: this.deps.facility,
        listener: 'mllp',
      },
      log,
      {
        maxFrameBytes: this.config.maxFrameBytes,
        idleTimeoutMs: this.config.idleTimeoutSeconds * 1000,
        traffic: this.traffic,
        onStored: () => {
          if (address && this.gate.learn(address)) this.deps.onKnownSender?.(address);
        },
      },
    );
    this.connections.add(conn);
    if (this.paused) conn.setPaused(true);
    log.debug({ peer: conn.peer }, 'MLLP connection opened');
    socket.on('close', () => {
      this.messages += conn.received;
      this.largestAckBacklog = Math.max(this.largestAckBacklog, conn.largestAckBacklog);
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
    let waiting = 0;
    let backlog = 0;
    let largest = this.largestAckBacklog;
    for (const c of this.connections) {
      inFlight += c.received;
      if (c.waitingForAckReader) waiting += 1;
      backlog += c.ackBacklog;
      largest = Math.max(largest, c.largestAckBacklog);
    }
    return {
      state: this.state,
      address: typeof addr === 'object' && addr ? addr.address : undefined,
      port: typeof addr === 'object' && addr ? addr.port : undefined,
      tls: this.config.tls.enabled,
      connections: this.connections.size,
      messagesReceived: this.messages + inFlight,
      refusedConnections: { ...this.gate.refused },
      connectionsWaitingForAckReader: waiting,
      ackBacklogBytes: backlog,
      largestAckBacklogBytes: largest,
      holdingSenders: this.paused,
      error: this.error,
    };
  }

  /** Messages, NAKs and ACK times per sender since the last call (see traffic-tally.ts). */
  takeTraffic(): TrafficBatch | undefined {
    return this.traffic.take();
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
