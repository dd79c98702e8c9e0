/**
 * The SIP network edge: the UDP and TCP transports on one port (TLS on its own, 5061 by convention), one
 * transaction layer above them, and
 * the addressing every user agent above needs (our Via, our Contact, where a URI's requests go). The
 * parts above (the gateway in src/calls, and through it the registration desk, calls and the MESSAGE
 * intake) only see parsed requests with their server transaction, and send through `request()` /
 * `sendAck()`.
 */
import type { NameAddr } from '../../protocols/sip/address.ts';
import type { LocalViaAddress } from '../../protocols/sip/build.ts';
import type { ClientTransactionUser } from '../../protocols/sip/client-invite-transaction.ts';
import type { NextHop, RequestSource, SipTransportName } from '../../protocols/sip/hop.ts';
import type { SipRequest, SipResponse } from '../../protocols/sip/message.ts';
import type { Timers } from '../../protocols/sip/timers.ts';
import type { Resend } from '../../protocols/sip/transaction.ts';
import {
  type ClientTransaction,
  type ServerTransaction,
  TransactionLayer,
} from '../../protocols/sip/transaction-layer.ts';
import { formatUri, type SipUri, sipUri, type Uri } from '../../protocols/sip/uri.ts';
import type { SipInbound } from './transport-routing.ts';
import { type SipTlsOptions, TcpTransport } from './transport-tcp.ts';
import { UdpTransport } from './transport-udp.ts';

/** Room for bursts of a few hundred calls per second (see UdpTransportOptions.receiveBufferBytes). */
const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** Ports a listener configured with port 0 picks before it gives up finding one free for UDP and TCP alike. */
const PICKS = 5;

/** Connections remembered for registered phones; well above the phones one site registers. */
const MAX_FLOWS = 20_000;

export interface SipEndpointOptions {
  host: string;
  port: number;
  udp: boolean;
  tcp: boolean;
  /** SIP over TLS on `tls.port` (0 picks a free one). */
  tls?: SipTlsOptions & { port: number };
  /** The address others reach us at; defaults to the bound host (or 127.0.0.1 when bound to 0.0.0.0). */
  publicHost?: string;
  t1Ms: number;
  timers: Timers;
  onRequest(request: SipRequest, tx: ServerTransaction, source: RequestSource): void;
  onStrayAck?(ack: SipRequest): void;
  onStrayResponse?(response: SipResponse): void;
  onError?(error: unknown): void;
}

export class SipEndpoint {
  readonly layer: TransactionLayer;
  private udp: UdpTransport | undefined;
  private tcp: TcpTransport | undefined;
  private tls: TcpTransport | undefined;
  private boundPort = 0;
  private tlsPort = 0;
  private advertised = '';

  constructor(private readonly options: SipEndpointOptions) {
    this.layer = new TransactionLayer({
      timers: options.timers,
      values: { t1: options.t1Ms },
      onRequest: (request, tx) => {
        const source = this.sources.get(request);
        this.sources.delete(request);
        options.onRequest(request, tx, source ?? { transport: 'UDP', address: '', port: 0 });
      },
      onStrayAck: options.onStrayAck,
      onStrayResponse: options.onStrayResponse,
    });
  }

  // The transport tells us where a request came from; the layer calls onRequest synchronously.
  private readonly sources = new WeakMap<SipRequest, RequestSource>();

  private inbound(transport: SipTransportName): SipInbound {
    return {
      request: (request, channel, source) => {
        this.sources.set(request, { transport, ...source });
        this.layer.receiveRequest(request, channel);
      },
      response: (response) => this.layer.receiveResponse(response),
    };
  }

  /**
   * Binds UDP first (port 0 picks one), then TCP on the same port number. A port UDP picked may be taken
   * for TCP (another program's connection from that local port): then both are tried again on another.
   */
  async start(): Promise<{ host: string; port: number; tlsPort?: number }> {
    const { host, onError } = this.options;
    let port = this.options.port;
    for (let attempt = 1; ; attempt++) {
      try {
        port = await this.bindUdpAndTcp(host, this.options.port, onError);
        break;
      } catch (err) {
        const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        await this.udp?.close().catch(() => {});
        this.udp = undefined;
        this.tcp = undefined;
        if (!taken || this.options.port !== 0 || attempt === PICKS) throw err;
      }
    }
    if (this.options.tls) {
      const { port: tlsPort, ...tlsOptions } = this.options.tls;
      this.tls = new TcpTransport(this.inbound('TLS'), { host, port: tlsPort, onError, tls: tlsOptions });
      this.tlsPort = (await this.tls.listen()).port;
    }
    this.boundPort = port;
    this.advertised = this.options.publicHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    return this.tls ? { host, port, tlsPort: this.tlsPort } : { host, port };
  }

  /** Binds the datagram and stream transports on one port number; resolves with it. */
  private async bindUdpAndTcp(host: string, wanted: number, onError: SipEndpointOptions['onError']) {
    let port = wanted;
    if (this.options.udp) {
      this.udp = new UdpTransport(this.inbound('UDP'), {
        host,
        port,
        onError,
        receiveBufferBytes: UDP_RECEIVE_BUFFER,
      });
      port = (await this.udp.listen()).port;
    }
    if (this.options.tcp) {
      this.tcp = new TcpTransport(this.inbound('TCP'), { host, port, onError });
      port = (await this.tcp.listen()).port;
    }
    return port;
  }

  async close(): Promise<void> {
    await this.udp?.close();
    await this.tcp?.close();
    await this.tls?.close();
  }

  get port(): number {
    return this.boundPort;
  }

  get host(): string {
    return this.advertised;
  }

  /** The TLS port, when TLS is on. */
  get securePort(): number | undefined {
    return this.tls ? this.tlsPort : undefined;
  }

  get transports(): SipTransportName[] {
    const names: SipTransportName[] = [];
    if (this.udp) names.push('UDP');
    if (this.tcp) names.push('TCP');
    if (this.tls) names.push('TLS');
    return names;
  }

  private portFor(transport: SipTransportName): number {
    return transport === 'TLS' ? this.tlsPort : this.boundPort;
  }

  /** Our Via sent-by for a request leaving on `transport`. */
  via(transport: SipTransportName): LocalViaAddress {
    return { transport, host: this.advertised, port: this.portFor(transport) };
  }

  /**
   * Our Contact: the gateway is the user agent on every leg (a B2BUA, never a proxy). Over TLS it is a
   * sips: URI, so the peer's requests in the dialog come back over TLS too (RFC 5630 section 3.1.3).
   */
  contact(transport: SipTransportName, user = 'switchboard'): NameAddr {
    const uri = sipUri({ user, host: this.advertised, port: this.portFor(transport) });
    if (transport === 'TLS') uri.scheme = 'sips';
    if (transport === 'TCP') uri.params.set('transport', 'tcp');
    return { uri, params: new Map() };
  }

  /** Our own address as a URI (for From/PAI host parts). */
  uri(user: string): SipUri {
    return sipUri({ user, host: this.advertised, port: this.boundPort });
  }

  // Contact URI -> the connection its phone registered over; bounded by the registrations there are.
  private readonly flows = new Map<string, RequestSource>();

  rememberFlow(contact: Uri, source: RequestSource): void {
    if (source.transport === 'UDP') return;
    const key = formatUri(contact);
    this.flows.delete(key);
    this.flows.set(key, source);
    // Phones that register a new contact each time would grow this without end: forget the oldest.
    if (this.flows.size > MAX_FLOWS) this.flows.delete(this.flows.keys().next().value as string);
  }

  /** The next hop for a request to `target` with `route` (RFC 3261 section 8.1.2: first Route, else the URI). */
  nextHop(target: Uri, route: NameAddr[] = []): NextHop {
    if (route.length === 0) {
      const flow = this.flows.get(formatUri(target));
      if (flow && this.stream(flow.transport)?.isConnected(flow)) return { ...flow };
    }
    const uri = route[0]?.uri ?? target;
    if (uri.kind !== 'sip') throw new Error(`cannot send to a ${uri.scheme}: URI`);
    const param = uri.params.get('transport')?.toUpperCase();
    // A sips: URI must be reached over TLS on every hop (RFC 3261 section 26.2.2); never fall back.
    if (uri.scheme === 'sips' || param === 'TLS') {
      if (!this.tls)
        throw new Error(`cannot reach ${uri.host} over TLS: listeners.sip.tls is not configured`);
      return { transport: 'TLS', address: uri.host, port: uri.port ?? 5061 };
    }
    const wanted: SipTransportName = param === 'TCP' ? 'TCP' : 'UDP';
    const plain = this.transports.filter((t) => t !== 'TLS');
    if (plain.includes(wanted)) return { transport: wanted, address: uri.host, port: uri.port ?? 5060 };
    if (plain.length > 0) return { transport: plain[0]!, address: uri.host, port: uri.port ?? 5060 };
    // Only TLS is open: a plain sip: URI is still reached over it, on the port it names.
    return { transport: 'TLS', address: uri.host, port: uri.port ?? 5061 };
  }

  private stream(transport: SipTransportName): TcpTransport | undefined {
    return transport === 'TLS' ? this.tls : transport === 'TCP' ? this.tcp : undefined;
  }

  /** Starts a client transaction for `request` towards `hop` (Via stamped for that transport). */
  request(request: SipRequest, hop: NextHop, user: ClientTransactionUser): ClientTransaction {
    const via = request.via[0];
    if (via) {
      via.transport = hop.transport;
      via.host = this.advertised;
      via.port = this.portFor(hop.transport);
    }
    const stream = this.stream(hop.transport);
    if (stream) {
      let tx: ClientTransaction | undefined;
      const channel = stream.channelTo(hop, (err) => tx?.transportError(err));
      tx = this.layer.sendRequest(request, channel, user);
      return tx;
    }
    return this.layer.sendRequest(request, this.udp!.channelTo(hop), user);
  }

  /**
   * Sends an ACK for a 2xx (its own transaction, section 13.2.2.4) or any stateless message; returns what
   * sends the same bytes again (for a retransmitted 2xx).
   */
  sendAck(ack: SipRequest, hop: NextHop): Resend {
    const via = ack.via[0];
    if (via) {
      via.transport = hop.transport;
      via.host = this.advertised;
      via.port = this.portFor(hop.transport);
    }
    const stream = this.stream(hop.transport);
    return stream ? stream.sendTo(ack, hop) : this.udp!.sendTo(ack, hop);
  }
}
