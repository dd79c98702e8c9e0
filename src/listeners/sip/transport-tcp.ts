/**
 * SIP over TCP and over TLS (RFC 3261 sections 18 and 26.2): messages framed by Content-Length on each
 * connection, one connection per remote address reused for both directions (section 18.2.2, and RFC
 * 5923's reasoning for keeping connections). Responses go back on the connection the request came in
 * on; if it has closed, a new connection is opened to the Via's received address and sent-by port.
 * TLS is the same stream with a handshake in front: phones and trunks that carry nurse-call text and
 * caller ids over an untrusted network use it (RFC 5630: sips: asks for TLS on every hop).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type ConnectionOptions, createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { SipParseError } from '../../protocols/sip/errors.ts';
import type { SipTransportName } from '../../protocols/sip/hop.ts';
import type { SipMessage } from '../../protocols/sip/message.ts';
import { serializeMessage } from '../../protocols/sip/serializer.ts';
import { SipStreamFramer } from '../../protocols/sip/stream-framer.ts';
import type { Resend, TransactionChannel } from '../../protocols/sip/transaction.ts';
import {
  deliver,
  errorResponseFor,
  type LocalAddress,
  type RemoteAddress,
  responseDestination,
  type SipInbound,
} from './transport-routing.ts';

export interface TcpTransportOptions {
  /** @defaultValue '0.0.0.0' */
  host?: string;
  /** @defaultValue 5060; 0 picks a free port */
  port?: number;
  /** @defaultValue 65535 */
  maxMessageSize?: number;
  /** Connections silent for this long are closed. @defaultValue 600000 */
  idleTimeoutMs?: number;
  onError?: (error: unknown) => void;
  /** Speak TLS on this port (SIP over TLS) instead of plain TCP. */
  tls?: SipTlsOptions;
}

/** Our certificate, and whose certificates we trust when we connect out (and, if asked, when they connect in). */
export interface SipTlsOptions {
  key: Buffer;
  cert: Buffer;
  /** CA certificates for peers; the system's trust store when absent. */
  ca?: Buffer;
  /**
   * Ask connecting phones and trunks for a certificate and refuse those without a valid one (mutual TLS).
   * @defaultValue false: phones rarely carry certificates; they authenticate with digest over the tunnel
   */
  requireClientCertificate?: boolean;
  /**
   * Check the certificate of the peer we connect to (chain and host name).
   * @defaultValue true
   */
  verifyServers?: boolean;
}

const keyOf = (remote: RemoteAddress) => `${remote.address}|${remote.port}`;

export class TcpTransport {
  private server: Server | undefined;
  private local: LocalAddress | undefined;
  private readonly connections = new Map<string, Socket>();

  constructor(
    private readonly inbound: SipInbound,
    private readonly options: TcpTransportOptions = {},
  ) {}

  /** 'TLS' when the transport speaks TLS. */
  get name(): SipTransportName {
    return this.options.tls ? 'TLS' : 'TCP';
  }

  async listen(): Promise<LocalAddress> {
    const accept = (socket: Socket) =>
      this.adopt(socket, { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 });
    const tls = this.options.tls;
    const server = tls
      ? createTlsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ca: tls.ca,
            requestCert: tls.requireClientCertificate ?? false,
            rejectUnauthorized: tls.requireClientCertificate ?? false,
          },
          accept,
        )
      : createServer(accept);
    // A failed handshake is one bad peer, never the listener's end.
    server.on('tlsClientError', (err) => this.options.onError?.(err));
    this.server = server;
    server.on('error', (err) => this.options.onError?.(err));
    const host = this.options.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 5060, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new Error('TCP transport has no address');
    this.local = { transport: this.name, host: bound.address, port: bound.port };
    return this.local;
  }

  get localAddress(): LocalAddress {
    if (!this.local) throw new Error(`${this.name} transport is not listening`);
    return this.local;
  }

  /** Open connections, by remote address (for tests and health). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * A channel for a client transaction towards `destination`; `onTransportError` hears about a
   * connection that fails later (wire it to the transaction's `transportError`).
   */
  channelTo(destination: RemoteAddress, onTransportError?: (error: unknown) => void): TransactionChannel {
    return { reliable: true, send: (message) => this.sendTo(message, destination, onTransportError) };
  }

  /** Whether a connection to (or from) `remote` is open now. */
  isConnected(remote: RemoteAddress): boolean {
    const socket = this.connections.get(keyOf(remote));
    return socket !== undefined && !socket.destroyed;
  }

  /**
   * Sends over the existing connection to `destination`, opening one when there is none; returns what sends
   * the same bytes there again.
   */
  sendTo(
    message: SipMessage,
    destination: RemoteAddress,
    onTransportError?: (error: unknown) => void,
  ): Resend {
    const bytes = serializeMessage(message);
    this.sendBytes(bytes, destination, onTransportError);
    return () => this.sendBytes(bytes, destination, onTransportError);
  }

  private sendBytes(
    bytes: Buffer,
    destination: RemoteAddress,
    onTransportError?: (error: unknown) => void,
  ): void {
    let socket = this.connections.get(keyOf(destination));
    if (!socket || socket.destroyed) {
      socket = this.open(destination);
      this.adopt(socket, destination);
      this.watchUntilReady(socket);
    }
    let reported = false;
    const fail = (err: unknown) => {
      if (reported) return;
      reported = true;
      onTransportError?.(err);
    };
    this.waiting.get(socket)?.push(fail);
    // The write callback reports this message's failure (a refused connect included) without piling
    // listeners onto a long-lived connection.
    socket.write(bytes, (err) => {
      if (err) fail(err);
    });
  }

  // Messages written to a connection we opened that is not ready yet. A failed TLS handshake (a
  // certificate our CA did not sign) only emits 'error': the write callbacks succeed, so these are told.
  private readonly waiting = new WeakMap<Socket, Array<(err: unknown) => void>>();

  private watchUntilReady(socket: Socket): void {
    this.waiting.set(socket, []);
    let failure: unknown;
    socket.once(this.options.tls ? 'secureConnect' : 'connect', () => this.waiting.delete(socket));
    socket.on('error', (err) => {
      failure ??= err;
    });
    socket.once('close', () => {
      const waiting = this.waiting.get(socket) ?? [];
      this.waiting.delete(socket);
      for (const fail of waiting) fail(failure ?? new Error('connection closed before it was ready'));
    });
  }

  private open(destination: RemoteAddress): Socket {
    const tls = this.options.tls;
    if (!tls) return connect({ host: destination.address, port: destination.port });
    const options: ConnectionOptions = {
      host: destination.address,
      port: destination.port,
      ca: tls.ca,
      rejectUnauthorized: tls.verifyServers ?? true,
    };
    // SNI takes a host name only (RFC 6066 section 3), never an address literal.
    if (!/^[0-9.]+$|:/.test(destination.address)) options.servername = destination.address;
    // Presenting our certificate lets a trunk that asks for mutual TLS know us.
    return tlsConnect({ ...options, key: tls.key, cert: tls.cert });
  }

  async close(): Promise<void> {
    for (const socket of this.connections.values()) socket.destroy();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private adopt(socket: Socket, remote: RemoteAddress): void {
    const key = keyOf(remote);
    this.connections.set(key, socket);
    socket.setTimeout(this.options.idleTimeoutMs ?? 600_000, () => socket.destroy());
    socket.on('close', () => {
      if (this.connections.get(key) === socket) this.connections.delete(key);
    });
    socket.on('error', (err) => this.options.onError?.(err));
    // RFC 5626 section 3.5.1: a double-CRLF ping is answered with a single CRLF pong.
    const framer = new SipStreamFramer({
      maxMessageSize: this.options.maxMessageSize,
      onPing: () => socket.write('\r\n'),
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch (err) {
        // Framing is lost: answer if we can, then close (section 18.3).
        const answer = err instanceof SipParseError ? errorResponseFor(err) : undefined;
        if (err instanceof SipParseError) this.inbound.rejected?.(err, remote);
        if (answer) socket.end(answer);
        else socket.destroy();
        return;
      }
      for (const frame of frames) this.receive(frame, socket, remote);
    });
  }

  private receive(frame: Buffer, socket: Socket, source: RemoteAddress): void {
    deliver(
      frame,
      source,
      {
        framing: 'stream',
        maxMessageSize: this.options.maxMessageSize,
        reply: (bytes) => socket.write(bytes),
        responseChannel: {
          reliable: true,
          send: (response) => {
            if (response.kind !== 'response') throw new Error('A server transaction sends responses only');
            // While the connection is open the response goes back on it; once it is gone, on a new one to
            // the Via's received address and sent-by port (section 18.2.2).
            const destination = responseDestination(response);
            const reopen = { address: destination.address, port: response.via[0]!.port ?? 5060 };
            return this.answerOn(socket, serializeMessage(response), reopen);
          },
        },
      },
      this.inbound,
      this.options.onError,
    );
  }

  // Its own function, so that the closure a transaction keeps holds the bytes and the addresses only.
  private answerOn(socket: Socket, bytes: Buffer, reopen: RemoteAddress): Resend {
    const send = () => {
      if (!socket.destroyed) socket.write(bytes);
      else this.sendBytes(bytes, reopen);
    };
    send();
    return send;
  }
}
