/**
 * What the UDP and TCP transports share: stamping received/rport on arriving requests (RFC 3261
 * section 18.2.1, RFC 3581 section 4), choosing where a response goes (RFC 3261 section 18.2.2,
 * RFC 3581 section 4), and answering requests the parser refused.
 */
import { buildErrorResponseBytes } from '../../protocols/sip/build.ts';
import { SipParseError } from '../../protocols/sip/errors.ts';
import type { SipTransportName } from '../../protocols/sip/hop.ts';
import { newTag } from '../../protocols/sip/ids.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../protocols/sip/message.ts';
import { parseMessage } from '../../protocols/sip/parser.ts';
import type { Timers } from '../../protocols/sip/timers.ts';
import type { TransactionChannel } from '../../protocols/sip/transaction.ts';
import { TimerQueues } from './timer-queues.ts';

export interface RemoteAddress {
  address: string;
  port: number;
}

/** What a transport hands upward: parsed messages with the channel to answer on. */
export interface SipInbound {
  request(request: SipRequest, channel: TransactionChannel, source: RemoteAddress): void;
  response(response: SipResponse, source: RemoteAddress): void;
  /** A message that could not be used (already answered when it was an answerable request). */
  rejected?(error: SipParseError, source: RemoteAddress): void;
}

/** Our own sent-by, for the Via of requests we originate. */
export interface LocalAddress {
  transport: SipTransportName;
  host: string;
  port: number;
}

/**
 * Section 18.2.1: add `received` when the sent-by host is not the packet's source address;
 * RFC 3581: with `rport` present, fill it with the source port (and then always add received).
 */
export function stampReceived(request: SipRequest, source: RemoteAddress): void {
  const top = request.via[0];
  if (!top) return;
  const wantsRport = top.params.has('rport');
  if (wantsRport) top.params.set('rport', String(source.port));
  if (wantsRport || top.host !== source.address) top.params.set('received', source.address);
}

/**
 * Where a response goes over an unreliable transport (section 18.2.2 with RFC 3581): maddr if
 * present, else the received address with rport or the sent-by port, else the sent-by itself.
 */
export function responseDestination(response: SipResponse): RemoteAddress {
  const top = response.via[0]!;
  const maddr = top.params.get('maddr');
  const received = top.params.get('received');
  const rport = top.params.get('rport');
  const port = rport ? Number(rport) : (top.port ?? 5060);
  if (maddr) return { address: maddr, port: top.port ?? 5060 };
  if (received) return { address: received, port };
  return { address: top.host, port };
}

/** The bytes of the error response for a refused request, or undefined when nothing should be sent. */
export function errorResponseFor(error: SipParseError): Buffer | undefined {
  if (error.status === undefined || error.echo === undefined) return undefined;
  return buildErrorResponseBytes(error.echo, error.status, error.reason, newTag());
}

/** Node's timers in the shape the SIP machines take (they never create timers of their own). */
export const nodeTimers: Timers = new TimerQueues();

/** How one transport answers on the path a message arrived by. */
export interface ArrivalPath {
  framing: 'datagram' | 'stream';
  maxMessageSize?: number;
  /** Sends raw bytes (an error response) back the way the message came. */
  reply(bytes: Buffer): void;
  /** The channel a server transaction answers on (section 18.2.2 for this transport). */
  responseChannel: TransactionChannel;
}

/**
 * Parses one message and hands it up: requests get received/rport stamped and a response channel;
 * a refused request is answered at once and the transport keeps serving; a failing transaction
 * user is reported to `onError` and never takes the transport down.
 */
export function deliver(
  data: Buffer,
  source: RemoteAddress,
  path: ArrivalPath,
  inbound: SipInbound,
  onError?: (error: unknown) => void,
): void {
  let message: SipMessage;
  try {
    message = parseMessage(data, { framing: path.framing, maxMessageSize: path.maxMessageSize });
  } catch (err) {
    if (!(err instanceof SipParseError)) {
      onError?.(err);
      return;
    }
    const answer = errorResponseFor(err);
    if (answer) path.reply(answer);
    inbound.rejected?.(err, source);
    return;
  }
  try {
    if (message.kind === 'request') {
      stampReceived(message, source);
      inbound.request(message, path.responseChannel, source);
    } else {
      inbound.response(message, source);
    }
  } catch (err) {
    onError?.(err);
  }
}
