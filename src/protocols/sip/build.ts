/**
 * Building responses, ACKs for non-2xx and CANCELs from the requests they answer
 * (RFC 3261 sections 8.2.6, 17.1.1.3 and 9.1).
 */
import type { NameAddr } from './address.ts';
import type { ErrorEcho, SipRejection } from './errors.ts';
import { newBranch, newCallId, newTag } from './ids.ts';
import type { SipHeader, SipRequest, SipResponse } from './message.ts';
import type { Uri } from './uri.ts';
import type { Via } from './via.ts';

/** Standard reason phrases for the statuses this stack sends itself. */
export const REASON_PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  603: 'Decline',
};

export interface ResponseOptions {
  reason?: string;
  /** To-tag to add when the request's To has none (section 8.2.6.2; not for 100 Trying). */
  toTag?: string;
  headers?: SipHeader[];
  body?: Buffer;
  contentType?: string;
}

/**
 * A response to `request`: Via (all values, in order), From, To, Call-ID and CSeq copied
 * (section 8.2.6.2); Record-Route is copied too for dialog-creating requests (section 12.1.1).
 */
export function buildResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const to = { ...request.to, params: new Map(request.to.params) };
  if (options.toTag !== undefined && status !== 100 && !to.params.has('tag'))
    to.params.set('tag', options.toTag);
  const headers = [...(options.headers ?? [])];
  if (options.contentType !== undefined) headers.push({ name: 'Content-Type', value: options.contentType });
  // Timestamp is echoed in 100 Trying (section 8.2.6.1).
  const timestamp = request.headers.find((h) => h.name === 'Timestamp');
  if (status === 100 && timestamp) headers.push(timestamp);
  return {
    kind: 'response',
    status,
    reason: options.reason ?? REASON_PHRASES[status] ?? 'Unknown',
    via: request.via.map((v) => ({ ...v, params: new Map(v.params) })),
    from: request.from,
    to,
    callId: request.callId,
    cseq: { ...request.cseq },
    contact: [],
    route: [],
    recordRoute: status > 100 && status < 300 ? request.recordRoute : [],
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}

/** The response for a refused request (admission checks). */
export function buildRejection(request: SipRequest, rejection: SipRejection, toTag?: string): SipResponse {
  return buildResponse(request, rejection.status, {
    reason: rejection.reason,
    headers: rejection.headers,
    toTag,
  });
}

/**
 * The raw text of a response to a request the parser refused: Via/From/To/Call-ID/CSeq copied as
 * received (they may themselves be what was malformed), a To-tag added.
 */
export function buildErrorResponseBytes(
  echo: ErrorEcho,
  status: number,
  reason: string,
  toTag: string,
): Buffer {
  const lines = [`SIP/2.0 ${status} ${reason.replace(/[\r\n]/g, ' ')}`];
  for (const via of echo.via) lines.push(`Via: ${via}`);
  if (echo.from !== undefined) lines.push(`From: ${echo.from}`);
  if (echo.to !== undefined)
    lines.push(`To: ${/;\s*tag\s*=/i.test(echo.to) ? echo.to : `${echo.to};tag=${toTag}`}`);
  if (echo.callId !== undefined) lines.push(`Call-ID: ${echo.callId}`);
  if (echo.cseq !== undefined) lines.push(`CSeq: ${echo.cseq}`);
  lines.push('Content-Length: 0', '', '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/**
 * The ACK a client INVITE transaction sends for a 300-699 (section 17.1.1.3): same Request-URI,
 * Call-ID, From, CSeq number, top Via and Route as the INVITE; To from the response.
 */
export function buildAckForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  return {
    kind: 'request',
    method: 'ACK',
    uri: invite.uri,
    via: [invite.via[0]!],
    maxForwards: invite.maxForwards ?? 70,
    route: invite.route,
    recordRoute: [],
    from: invite.from,
    to: response.to,
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'ACK' },
    contact: [],
    headers: [],
    body: Buffer.alloc(0),
  };
}

/**
 * CANCEL for a pending request (section 9.1): same Request-URI, Call-ID, To, From, CSeq number,
 * top Via (so that it matches the same server transaction hop by hop) and Route.
 */
export function buildCancel(request: SipRequest, reason?: string): SipRequest {
  return {
    kind: 'request',
    method: 'CANCEL',
    uri: request.uri,
    via: [request.via[0]!],
    maxForwards: 70,
    route: request.route,
    recordRoute: [],
    from: request.from,
    to: request.to,
    callId: request.callId,
    cseq: { seq: request.cseq.seq, method: 'CANCEL' },
    contact: [],
    // RFC 3326: a Reason header tells the callee why (e.g. answered elsewhere).
    headers: reason === undefined ? [] : [{ name: 'Reason', value: reason }],
    body: Buffer.alloc(0),
  };
}

/** The local Via for a request we originate: sent-by comes from the transport that will send it. */
export interface LocalViaAddress {
  transport: string;
  host: string;
  port?: number;
}

export interface NewRequestOptions {
  method: string;
  uri: Uri;
  from: NameAddr;
  to: NameAddr;
  via: LocalViaAddress;
  contact?: NameAddr;
  callId?: string;
  cseq?: number;
  route?: NameAddr[];
  headers?: SipHeader[];
  body?: Buffer;
  contentType?: string;
}

/**
 * A request outside any dialog (section 8.1.1): a From tag is added when missing, Call-ID and CSeq
 * default to fresh values, Max-Forwards 70, the top Via gets a new branch and rport (RFC 3581).
 */
export function buildRequest(options: NewRequestOptions): SipRequest {
  const from = { ...options.from, params: new Map(options.from.params) };
  if (!from.params.has('tag')) from.params.set('tag', newTag());
  const headers = [...(options.headers ?? [])];
  if (options.contentType !== undefined) headers.push({ name: 'Content-Type', value: options.contentType });
  const via: Via = {
    protocol: 'SIP/2.0',
    transport: options.via.transport.toUpperCase(),
    host: options.via.host,
    params: new Map([
      ['branch', newBranch()],
      ['rport', null],
    ]),
  };
  if (options.via.port !== undefined) via.port = options.via.port;
  return {
    kind: 'request',
    method: options.method,
    uri: options.uri,
    via: [via],
    maxForwards: 70,
    route: options.route ?? [],
    recordRoute: [],
    from,
    to: options.to,
    callId: options.callId ?? newCallId(),
    cseq: { seq: options.cseq ?? 1, method: options.method },
    contact: options.contact ? [options.contact] : [],
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}
