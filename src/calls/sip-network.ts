/**
 * What the back-to-back user agent needs of the SIP network edge: our addresses (Via, Contact, our own
 * URI), where a URI's requests go, and sending through the transaction layer. `listeners/sip/endpoint.ts`
 * provides it; the wiring hands it over, so calls never reach into the listener.
 */
import type { NameAddr } from '../protocols/sip/address.ts';
import type { LocalViaAddress } from '../protocols/sip/build.ts';
import type { ClientTransactionUser } from '../protocols/sip/client-invite-transaction.ts';
import type { NextHop, RequestSource, SipTransportName } from '../protocols/sip/hop.ts';
import type { SipRequest } from '../protocols/sip/message.ts';
import type { Resend } from '../protocols/sip/transaction.ts';
import type {
  ClientTransaction,
  ServerTransaction,
  TransactionLayer,
} from '../protocols/sip/transaction-layer.ts';
import type { SipUri, Uri } from '../protocols/sip/uri.ts';

export interface SipNetwork {
  /** The transaction layer, for the INVITE a CANCEL matches (RFC 3261 section 9.2). */
  readonly layer: Pick<TransactionLayer, 'findInviteForCancel'>;
  readonly port: number;
  readonly transports: SipTransportName[];
  /** The TLS port, when SIP over TLS is on. */
  readonly securePort?: number;
  /** Requests to `contact` go over the connection `source` came in on while it is open. */
  rememberFlow?(contact: Uri, source: RequestSource): void;
  /** Binds the transports; requests arrive at the handler the wiring gave the edge. */
  start(): Promise<{ host: string; port: number; tlsPort?: number }>;
  close(): Promise<void>;
  /** Our Via sent-by for a request leaving on `transport`. */
  via(transport: SipTransportName): LocalViaAddress;
  /** Our Contact: the gateway is the user agent on every leg (a B2BUA, never a proxy). */
  contact(transport: SipTransportName, user?: string): NameAddr;
  /** Our own address as a URI (for From/PAI host parts). */
  uri(user: string): SipUri;
  /** The next hop for a request to `target` with `route` (first Route, else the URI). */
  nextHop(target: Uri, route?: NameAddr[]): NextHop;
  /** Starts a client transaction for `request` towards `hop`. */
  request(request: SipRequest, hop: NextHop, user: ClientTransactionUser): ClientTransaction;
  /** Sends an ACK for a 2xx (its own transaction) or any stateless message; returns what sends it again. */
  sendAck(ack: SipRequest, hop: NextHop): Resend;
}

/** A part of the edge that answers one kind of request itself (SIP MESSAGE: listeners/sip/message-intake.ts). */
export interface SipRequestHandler {
  handle(request: SipRequest, tx: ServerTransaction, source: RequestSource): void;
}
