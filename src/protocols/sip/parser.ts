/**
 * Parses one SIP message from bytes (RFC 3261 sections 7 and 25, hardened against RFC 4475).
 *
 * The header section is decoded as UTF-8 text (display names and reason phrases may be UTF-8,
 * RFC 3261 section 25.1 TEXT-UTF8); the body stays bytes. Errors are always `SipParseError`.
 */
import { type NameAddr, parseNameAddr, parseNameAddrList } from './address.ts';
import { SipParseError } from './errors.ts';
import { canonicalHeaderName } from './header-names.ts';
import type { CSeq, SipHeader, SipMessage, SipRequest, SipResponse } from './message.ts';
import { isIn, isToken, WORD } from './scanner.ts';
import { parseUri } from './uri.ts';
import { parseViaList, type Via } from './via.ts';

export interface ParseOptions {
  /**
   * 'datagram' (UDP): the message is the whole datagram; a Content-Length shorter than what follows
   * the headers trims the body, a longer one is an error (RFC 3261 section 18.3).
   * 'stream' (TCP/TLS): the buffer is one message cut by `SipStreamFramer`.
   * @defaultValue 'datagram'
   */
  framing?: 'datagram' | 'stream';
  /** Messages above this many bytes are refused with 413. @defaultValue 65535 */
  maxMessageSize?: number;
}

/** Methods this stack knows (RFC 3261 plus the common extensions); see CSeq mismatch handling below. */
export const KNOWN_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

// Header fields that may appear once only (RFC 4475 3.3.8 and 3.3.9: duplicates get 400).
const SINGLE = new Set(['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type']);
const CRLF2 = Buffer.from('\r\n\r\n');
const LF2 = Buffer.from('\n\n');

export function parseMessage(data: Buffer, options: ParseOptions = {}): SipMessage {
  const framing = options.framing ?? 'datagram';
  const maxSize = options.maxMessageSize ?? 65535;
  // RFC 3261 section 7.5: CRLFs before the start line are ignored (they are also keep-alives, RFC 5626).
  let start = 0;
  while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
  if (start >= data.length) throw new SipParseError('Empty message', null);
  const isResponse =
    data
      .subarray(start, start + 4)
      .toString('latin1')
      .toUpperCase() === 'SIP/';
  let lines: string[] = [];
  try {
    if (data.length > maxSize) throw new SipParseError('Message Too Large', 413);
    const { headerEnd, bodyStart } = findHeaderEnd(data, start, framing);
    lines = unfold(data.toString('utf8', start, headerEnd));
    return buildMessage(lines, data, bodyStart, framing);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    if (isResponse) return discard(err);
    if (err.status !== undefined && lines.length > 0) err.echo = echoHeaders(lines);
    throw err;
  }
}

// A bad response is dropped, never answered (RFC 3261 section 18.1.2 / RFC 4475 3.1.2.19).
function discard(err: SipParseError): never {
  throw new SipParseError(err.reason, null);
}

function findHeaderEnd(
  data: Buffer,
  start: number,
  framing: string,
): { headerEnd: number; bodyStart: number } {
  const crlf = data.indexOf(CRLF2, start);
  const lf = data.indexOf(LF2, start);
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  // A datagram that ends right after a header line has no body; tolerate the missing empty line.
  if (framing === 'datagram' && data[data.length - 1] === 0x0a)
    return { headerEnd: data.length, bodyStart: data.length };
  throw new SipParseError('No empty line after the header fields');
}

/** Splits the header section into lines, joining folded continuation lines with one SP (section 7.3.1). */
function unfold(text: string): string[] {
  const lines: string[] = [];
  // A scan instead of split(/\r?\n/) and regular expressions: every datagram passes here, six per call.
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end);
    start = end + 1;
    const first = line.charCodeAt(0);
    if (lines.length > 0 && (first === 0x20 || first === 0x09)) {
      if (lines.length === 1) throw new SipParseError('Folded line right after the start line');
      lines[lines.length - 1] = `${trimLwsEnd(lines[lines.length - 1]!)} ${trimLws(line)}`;
    } else {
      lines.push(line);
    }
  }
  return lines;
}

const isLws = (code: number) => code === 0x20 || code === 0x09;

function trimLwsEnd(s: string): string {
  let end = s.length;
  while (end > 0 && isLws(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

function trimLws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isLws(s.charCodeAt(start))) start++;
  while (end > start && isLws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function splitHeaderLine(line: string): { name: string; value: string } {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : trimLwsEnd(line.slice(0, colon));
  if (!isToken(name)) throw new SipParseError(`Malformed header line '${line.slice(0, 40)}'`);
  return { name: canonicalHeaderName(name), value: trimLws(line.slice(colon + 1)) };
}

type StartLine =
  | { kind: 'request'; method: string; uriText: string }
  | { kind: 'response'; status: number; reason: string };

function parseStartLine(line: string): StartLine {
  if (/^SIP\//i.test(line)) {
    const m = /^SIP\/(\d+)\.(\d+) (\d{3}) (.*)$/i.exec(line) ?? /^SIP\/(\d+)\.(\d+) (\d{3})()$/i.exec(line);
    if (!m) throw new SipParseError('Malformed Status-Line');
    if (Number(m[1]) !== 2 || Number(m[2]) !== 0) throw new SipParseError('Version Not Supported', 505);
    const status = Number(m[3]);
    if (status < 100 || status > 699) throw new SipParseError('Status code out of range');
    return { kind: 'response', status, reason: m[4]! };
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF: exactly one SP between the three elements
  // (RFC 4475 3.1.2.7-3.1.2.10: <> around the URI, embedded LWS, extra or trailing SP are all 400).
  const parts = line.split(' ');
  if (parts.length !== 3) throw new SipParseError('Malformed Request-Line');
  const [method, uriText, version] = parts as [string, string, string];
  if (!isToken(method)) throw new SipParseError('Malformed method');
  const v = /^SIP\/(\d+)\.(\d+)$/i.exec(version);
  if (!v) throw new SipParseError('Malformed SIP-Version');
  if (Number(v[1]) !== 2 || Number(v[2]) !== 0) throw new SipParseError('Version Not Supported', 505);
  return { kind: 'request', method, uriText };
}

function buildMessage(lines: string[], data: Buffer, bodyStart: number, framing: string): SipMessage {
  const startLine = parseStartLine(lines[0]!);
  const via: Via[] = [];
  const headers: SipHeader[] = [];
  const single = new Map<string, string>();
  let contact: NameAddr[] = [];
  let contactStar = false;
  const route: NameAddr[] = [];
  const recordRoute: NameAddr[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const { name, value } = splitHeaderLine(lines[i]!);
    if (SINGLE.has(name)) {
      if (single.has(name)) throw new SipParseError(`Multiple ${name} header fields`);
      single.set(name, value);
      if (name === 'Content-Type') headers.push({ name, value });
      continue;
    }
    switch (name) {
      case 'Via':
        via.push(...parseViaList(value));
        break;
      case 'Contact':
        if (value === '*') contactStar = true;
        else contact = contact.concat(parseNameAddrList(value, 'Contact'));
        break;
      case 'Route':
        route.push(...parseNameAddrList(value, 'Route'));
        break;
      case 'Record-Route':
        recordRoute.push(...parseNameAddrList(value, 'Record-Route'));
        break;
      default:
        headers.push({ name, value });
    }
  }
  // RFC 3261 section 8.1.1: To, From, CSeq, Call-ID and Via are mandatory (Max-Forwards is not
  // required here so that RFC 2543 peers still work, RFC 4475 3.4.1).
  for (const name of ['To', 'From', 'Call-ID', 'CSeq']) {
    if (!single.has(name)) throw new SipParseError(`Missing ${name} header field`);
  }
  if (via.length === 0) throw new SipParseError('Missing Via header field');
  if (contactStar && contact.length > 0) throw new SipParseError('Contact * mixed with other contacts');
  const callId = single.get('Call-ID')!;
  if (!isCallId(callId)) throw new SipParseError('Malformed Call-ID');
  const cseq = parseCSeq(single.get('CSeq')!);
  const from = parseNameAddr(single.get('From')!, 'From');
  const to = parseNameAddr(single.get('To')!, 'To');
  const common = { via, from, to, callId, cseq, contact, route, recordRoute, headers, body: Buffer.alloc(0) };
  const mf = single.get('Max-Forwards');
  const maxForwards = mf === undefined ? undefined : parseMaxForwards(mf);
  const msg: SipMessage =
    startLine.kind === 'response'
      ? ({
          kind: 'response',
          status: startLine.status,
          reason: startLine.reason,
          ...common,
        } satisfies SipResponse)
      : ({
          kind: 'request',
          method: startLine.method,
          uri: parseRequestUri(startLine.uriText),
          ...common,
        } satisfies SipRequest);
  if (maxForwards !== undefined) msg.maxForwards = maxForwards;
  if (contactStar) msg.contactStar = true;
  if (msg.kind === 'request' && cseq.method !== msg.method) {
    // RFC 4475 3.1.2.17/3.1.2.18: 400, except that an unknown method is better answered 501.
    throw new SipParseError(
      'CSeq method does not match the request method',
      KNOWN_METHODS.has(msg.method) ? 400 : 501,
    );
  }
  msg.body = readBody(single.get('Content-Length'), data, bodyStart, framing);
  return msg;
}

function parseRequestUri(text: string) {
  const uri = parseUri(text, 'Request-URI');
  // RFC 3261 section 8.2.2.1 / RFC 4475 3.3.2: a scheme we cannot serve gets 416.
  if (uri.kind === 'other') throw new SipParseError('Unsupported URI Scheme', 416);
  // Table 1 of section 19.1.1: headers are not allowed in a Request-URI (RFC 4475 3.1.2.11).
  if (uri.kind === 'sip' && uri.headers.size > 0)
    throw new SipParseError('Headers not allowed in Request-URI');
  return uri;
}

function isCallId(s: string): boolean {
  // callid = word [ "@" word ]
  const at = s.indexOf('@');
  if (at === 0 || at === s.length - 1 || s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (i !== at && !isIn(WORD, s.charCodeAt(i))) return false;
  return true;
}

/** CSeq = 1*DIGIT LWS Method; the number is below 2**31 (RFC 3261 section 8.1.1.5). */
export function parseCSeq(value: string): CSeq {
  const m = /^([0-9]{1,10})[ \t]+(\S+)$/.exec(value);
  if (!m || !isToken(m[2]!)) throw new SipParseError('Malformed CSeq');
  const seq = Number(m[1]);
  if (seq > 0x7fffffff) throw new SipParseError('CSeq number too large');
  return { seq, method: m[2]! };
}

function parseMaxForwards(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) > 255) throw new SipParseError('Malformed Max-Forwards');
  return Number(value);
}

function readBody(
  contentLength: string | undefined,
  data: Buffer,
  bodyStart: number,
  framing: string,
): Buffer {
  const available = data.length - bodyStart;
  if (contentLength === undefined) {
    // Without Content-Length a datagram's body is the rest of it (RFC 3261 section 18.3).
    return framing === 'datagram' ? data.subarray(bodyStart) : Buffer.alloc(0);
  }
  if (!/^[0-9]+$/.test(contentLength)) throw new SipParseError('Malformed Content-Length');
  const length = Number(contentLength);
  if (length > available) throw new SipParseError('Content-Length larger than the message');
  return data.subarray(bodyStart, bodyStart + length);
}

/** Raw values for a 4xx (RFC 3261 section 8.2.6.2), read forgivingly from a header section's text. */
export function readErrorEcho(headerSection: string): SipParseError['echo'] {
  return echoHeaders(headerSection.split(/\r?\n(?![ \t])/).map((l) => l.replace(/\r?\n[ \t]+/g, ' ')));
}

function echoHeaders(lines: string[]): SipParseError['echo'] {
  const via: string[] = [];
  const found = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = canonicalHeaderName(trimLws(line.slice(0, colon)));
    const value = trimLws(line.slice(colon + 1));
    if (name === 'Via') via.push(value);
    else if (!found.has(name)) found.set(name, value);
  }
  if (via.length === 0) return undefined;
  return {
    via,
    from: found.get('From'),
    to: found.get('To'),
    callId: found.get('Call-ID'),
    cseq: found.get('CSeq'),
  };
}
