/** The Via header field (RFC 3261 section 20.42, RFC 3581 rport). */
import { SipParseError } from './errors.ts';
import { formatParams, type Params, readParams, Scanner } from './scanner.ts';

export interface Via {
  /** "SIP/2.0" as sent; the parser keeps other versions so that they can be echoed. */
  protocol: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS... (RFC 4475 3.1.1.10: unknown ones are fine). */
  transport: string;
  host: string;
  port?: number;
  /** branch, received, rport, maddr, ttl and extensions; names lower-cased. */
  params: Params;
}

/** The RFC 3261 branch prefix: a branch starting with it is unique per transaction (section 8.1.1.7). */
export const MAGIC_COOKIE = 'z9hG4bK';

function readVia(sc: Scanner): Via {
  sc.skipSpace();
  const name = sc.token('Via protocol name');
  sc.expect('/', 'Via');
  const version = sc.token('Via protocol version');
  sc.expect('/', 'Via');
  const transport = sc.token('Via transport').toUpperCase();
  if (!sc.skipSpace()) throw new SipParseError('Expected space before Via sent-by');
  let host: string;
  if (sc.peek() === '[') {
    host = sc.until(']');
    if (sc.done) throw new SipParseError('Unterminated IPv6 reference in Via');
    sc.pos++;
    host = host.slice(1);
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) throw new SipParseError('Malformed IPv6 reference in Via');
  } else {
    host = sc.until(':;, \t');
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9.])?$/.test(host))
      throw new SipParseError('Malformed Via sent-by host');
  }
  const via: Via = { protocol: `${name}/${version}`, transport, host, params: new Map() };
  if (sc.accept(':')) {
    const digits = sc.take(DIGITS);
    const port = digits.length > 0 && digits.length <= 5 ? Number(digits) : Number.NaN;
    if (!(port >= 0 && port <= 65535)) throw new SipParseError('Malformed Via port');
    via.port = port;
  }
  via.params = readParams(sc, 'Via');
  sc.skipSpace();
  return via;
}

const DIGITS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  return t;
})();

/** Parses one Via header line, which may carry several comma-separated values. */
export function parseViaList(value: string): Via[] {
  const sc = new Scanner(value);
  const list: Via[] = [];
  do {
    list.push(readVia(sc));
  } while (sc.accept(','));
  if (!sc.done) throw new SipParseError(`Unexpected '${sc.peek()}' in Via`);
  return list;
}

export function formatVia(via: Via): string {
  const host = via.host.includes(':') ? `[${via.host}]` : via.host;
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${host}${port}${formatParams(via.params)}`;
}

export function branchOf(via: Via | undefined): string | undefined {
  const b = via?.params.get('branch');
  return b === null ? undefined : b;
}
