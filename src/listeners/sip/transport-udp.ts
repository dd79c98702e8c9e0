/**
 * SIP over UDP (RFC 3261 section 18): one socket, each datagram one message. A datagram the parser
 * refuses gets its 4xx/5xx when it was a request with a Via to answer, and the socket keeps serving.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { SipMessage } from '../../protocols/sip/message.ts';
import { serializeMessage } from '../../protocols/sip/serializer.ts';
import type { Resend, TransactionChannel } from '../../protocols/sip/transaction.ts';
import {
  deliver,
  type LocalAddress,
  type RemoteAddress,
  responseDestination,
  type SipInbound,
} from './transport-routing.ts';

export interface UdpTransportOptions {
  /** @defaultValue '0.0.0.0' */
  host?: string;
  /** @defaultValue 5060; 0 picks a free port */
  port?: number;
  /** @defaultValue 65535 */
  maxMessageSize?: number;
  /**
   * SO_RCVBUF in bytes (the kernel caps it at net.core.rmem_max). Hundreds of calls per second arrive in
   * bursts that overflow Linux's default ~208 KiB while the event loop is busy, and every datagram lost
   * there costs a retransmission 500 ms later. @defaultValue the system default
   */
  receiveBufferBytes?: number;
  /** Unexpected failures (socket errors); parse errors go to `inbound.rejected`. */
  onError?: (error: unknown) => void;
}

export class UdpTransport {
  private socket: Socket | undefined;
  private local: LocalAddress | undefined;

  constructor(
    private readonly inbound: SipInbound,
    private readonly options: UdpTransportOptions = {},
  ) {}

  async listen(): Promise<LocalAddress> {
    const host = this.options.host ?? '0.0.0.0';
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (data, rinfo) => this.receive(data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (err) => this.options.onError?.(err));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port ?? 5060, host, () => {
        socket.off('error', reject);
        if (this.options.receiveBufferBytes) {
          try {
            socket.setRecvBufferSize(this.options.receiveBufferBytes);
          } catch (err) {
            this.options.onError?.(err);
          }
        }
        resolve();
      });
    });
    const bound = socket.address();
    this.local = { transport: 'UDP', host: bound.address, port: bound.port };
    return this.local;
  }

  /** Our sent-by for Via headers. */
  get localAddress(): LocalAddress {
    if (!this.local) throw new Error('UDP transport is not listening');
    return this.local;
  }

  /** A channel for a client transaction towards `destination`. */
  channelTo(destination: RemoteAddress): TransactionChannel {
    return new DestinationChannel(this, destination);
  }

  /**
   * Responses within a server transaction follow the Via (section 18.2.2, RFC 3581), so one channel
   * serves every request this socket receives.
   */
  private readonly responseChannel: TransactionChannel = {
    reliable: false,
    send: (response) => {
      if (response.kind !== 'response') throw new Error('A server transaction sends responses only');
      return this.sendTo(response, responseDestination(response));
    },
  };

  /**
   * Sends any message to an explicit destination (ACK for 2xx, stateless answers); returns what sends the
   * same bytes there again.
   */
  sendTo(message: SipMessage, destination: RemoteAddress): Resend {
    return this.sendAgainLater(serializeMessage(message), destination);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private sendBytes(bytes: Buffer, destination: RemoteAddress): void {
    if (!this.socket) throw new Error('UDP transport is closed');
    // No per-datagram callback: a send error is reported by the socket's 'error' event, and the callback
    // object was the largest cost of sending at hundreds of calls per second.
    this.socket.send(bytes, destination.port, destination.address);
  }

  // Its own function, so that the closure a transaction keeps holds the bytes and the address only.
  private sendAgainLater(bytes: Buffer, destination: RemoteAddress): Resend {
    this.sendBytes(bytes, destination);
    return () => this.sendBytes(bytes, destination);
  }

  private receive(data: Buffer, source: RemoteAddress): void {
    deliver(
      data,
      source,
      {
        framing: 'datagram',
        maxMessageSize: this.options.maxMessageSize,
        // Errors go to the packet's source: the Via that would say otherwise may be what was broken.
        reply: (bytes) => this.sendBytes(bytes, source),
        responseChannel: this.responseChannel,
      },
      this.inbound,
      this.options.onError,
    );
  }
}

/**
 * Every message of one client transaction goes to one destination. A class rather than an object with an
 * arrow function: a transaction keeps its channel for 64*T1, and under tsx (keepNames) each such named
 * arrow also carries a property array of its own.
 */
class DestinationChannel implements TransactionChannel {
  readonly reliable = false;

  constructor(
    private readonly transport: UdpTransport,
    private readonly destination: RemoteAddress,
  ) {}

  send(message: SipMessage): Resend {
    return this.transport.sendTo(message, this.destination);
  }
}
