/**
 * SIP, SIPS and tel URIs (RFC 3261 section 19.1, RFC 3966), and any other absolute URI kept opaque
 * (RFC 4475 section 3.3.4: unknown schemes in header fields must not break the parser).
 *
 * Parts keep their escapes exactly as written (`%41` stays `%41`), so a URI serialises back to the
 * same text; `uriEquals` decodes before comparing, as section 19.1.4 requires.
 */
import { SipParseError } from './errors.ts';

export interface SipUri {
  kind: 'sip';
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** Host name or IP address; an IPv6 reference is stored without its brackets. */
  host: string;
  port?: number;
  /** uri-parameters, names lower-cased; a parameter without value maps to null. */
  params: Map<string, string | null>;
  /** headers (`?name=value&...`), names as written; read-only, as almost every URI shares one empty map. */
  headers: ReadonlyMap<string, string>;
}

/** The headers of a URI without any: one map for all of them (a parsed message has a dozen URIs). */
const NO_HEADERS: ReadonlyMap<string, string> = new Map();

export interface TelUri {
  kind: 'tel';
  scheme: 'tel';
  number: string;
  params: Map<string, string | null>;
}

export interface OtherUri {
  kind: 'other';
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
// unreserved = alphanum / mark; the extra sets follow RFC 3261 section 25.1.
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const ESCAPED = '%[0-9A-Fa-f]{2}';
const USER = new RegExp(`^(?:[${UNRESERVED}&=+$,;?/]|${ESCAPED})+$`);
const PASSWORD = new RegExp(`^(?:[${UNRESERVED}&=+$,]|${ESCAPED})*$`);
const PARAMCHARS = new RegExp(`^(?:[${UNRESERVED}\\[\\]/:&+$]|${ESCAPED})+$`);
const HNVCHARS = new RegExp(`^(?:[${UNRESERVED}\\[\\]/?:+$]|${ESCAPED})*$`);
const HOSTNAME =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const TEL_NUMBER = /^\+?[0-9A-Fa-f*#().\-pPwW]+$/;
const TEL_PARAM = /^[A-Za-z0-9\-_.!~*'()[\]/:&+$%]+$/;
const OPAQUE = /^[^\s<>"]+$/;

function bad(what: string, text: string): SipParseError {
  return new SipParseError(
    `Malformed ${what} in URI '${text.length > 80 ? `${text.slice(0, 80)}...` : text}'`,
  );
}

/** Parses an absolute URI. `where` names the place in the message for error reasons. */
export function parseUri(text: string, where = 'URI'): Uri {
  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon) : '';
  if (!SCHEME.test(scheme)) throw new SipParseError(`No URI scheme in ${where}`);
  const lower = scheme.toLowerCase();
  const rest = text.slice(colon + 1);
  if (lower === 'sip' || lower === 'sips') return parseSipUri(lower, rest, text);
  if (lower === 'tel') return parseTelUri(rest, text);
  if (!OPAQUE.test(rest)) throw bad(where, text);
  return { kind: 'other', scheme: lower, opaque: rest };
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string, text: string): SipUri {
  const uri: SipUri = { kind: 'sip', scheme, host: '', params: new Map(), headers: NO_HEADERS };
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pw = userinfo.indexOf(':');
    const user = pw >= 0 ? userinfo.slice(0, pw) : userinfo;
    if (!USER.test(user)) throw bad('user part', text);
    uri.user = user;
    if (pw >= 0) {
      const password = userinfo.slice(pw + 1);
      if (!PASSWORD.test(password)) throw bad('password', text);
      uri.password = password;
    }
  }
  let i = 0;
  if (hostPart.startsWith('[')) {
    const close = hostPart.indexOf(']');
    if (close < 0) throw bad('IPv6 reference', text);
    uri.host = hostPart.slice(1, close);
    if (!IPV6.test(uri.host) || !uri.host.includes(':')) throw bad('IPv6 reference', text);
    i = close + 1;
  } else {
    // Character codes, not a regular expression per character: six messages a call, three URIs each.
    while (i < hostPart.length && isHostChar(hostPart.charCodeAt(i))) i++;
    uri.host = hostPart.slice(0, i);
    if (!isIPv4(uri.host) && !HOSTNAME.test(uri.host)) throw bad('host', text);
  }
  if (hostPart.charCodeAt(i) === 0x3a) {
    let port = 0;
    let digits = 0;
    for (let c = hostPart.charCodeAt(i + 1); c >= 0x30 && c <= 0x39 && digits < 5; ) {
      port = port * 10 + (c - 0x30);
      digits++;
      c = hostPart.charCodeAt(i + 1 + digits);
    }
    if (digits === 0 || port > 65535) throw bad('port', text);
    uri.port = port;
    i += 1 + digits;
  }
  const qmark = hostPart.indexOf('?', i);
  const paramText = hostPart.slice(i, qmark >= 0 ? qmark : hostPart.length);
  if (paramText.length > 0) {
    if (!paramText.startsWith(';')) throw bad('host', text);
    for (const p of paramText.slice(1).split(';')) {
      const eq = p.indexOf('=');
      const name = eq >= 0 ? p.slice(0, eq) : p;
      const value = eq >= 0 ? p.slice(eq + 1) : null;
      if (!PARAMCHARS.test(name) || (value !== null && !PARAMCHARS.test(value))) throw bad('parameter', text);
      const key = name.toLowerCase();
      if (!uri.params.has(key)) uri.params.set(key, value);
    }
  }
  if (qmark >= 0) {
    const headers = new Map<string, string>();
    uri.headers = headers;
    for (const h of hostPart.slice(qmark + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) throw bad('header', text);
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      if (!HNVCHARS.test(name) || !HNVCHARS.test(value)) throw bad('header', text);
      headers.set(name, value);
    }
  }
  return uri;
}

/** A letter, digit, '.' or '-': what a host name or IPv4 address is made of. */
function isHostChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2e ||
    c === 0x2d
  );
}

/** Four dot-separated runs of one to three digits: an IPv4 address, which HOSTNAME also accepts. */
function isIPv4(host: string): boolean {
  let dots = 0;
  let run = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0x2e) {
      if (run === 0) return false;
      dots++;
      run = 0;
    } else if (c >= 0x30 && c <= 0x39 && run < 3) run++;
    else return false;
  }
  return dots === 3 && run > 0;
}

function parseTelUri(rest: string, text: string): TelUri {
  const [number, ...params] = rest.split(';');
  if (!TEL_NUMBER.test(number!)) throw bad('telephone number', text);
  const uri: TelUri = { kind: 'tel', scheme: 'tel', number: number!, params: new Map() };
  for (const p of params) {
    const eq = p.indexOf('=');
    const name = (eq >= 0 ? p.slice(0, eq) : p).toLowerCase();
    const value = eq >= 0 ? p.slice(eq + 1) : null;
    if (!TEL_PARAM.test(name) || (value !== null && !TEL_PARAM.test(value))) throw bad('parameter', text);
    uri.params.set(name, value);
  }
  return uri;
}

export function formatUri(uri: Uri): string {
  if (uri.kind === 'other') return `${uri.scheme}:${uri.opaque}`;
  if (uri.kind === 'tel') return `tel:${uri.number}${formatUriParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined)
    out += uri.password === undefined ? `${uri.user}@` : `${uri.user}:${uri.password}@`;
  out += uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatUriParams(uri.params);
  if (uri.headers.size > 0) {
    out += `?${[...uri.headers].map(([n, v]) => `${n}=${v}`).join('&')}`;
  }
  return out;
}

function formatUriParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [n, v] of params) out += v === null ? `;${n}` : `;${n}=${v}`;
  return out;
}

/** Decodes %HH escapes (RFC 3261 section 19.1.4 compares URIs after unescaping). */
export function unescapeUriPart(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Builds a sip: URI from parts, for code that makes requests. */
export function sipUri(parts: Partial<Omit<SipUri, 'kind'>> & { host: string }): SipUri {
  return {
    kind: 'sip',
    scheme: parts.scheme ?? 'sip',
    user: parts.user,
    password: parts.password,
    host: parts.host,
    port: parts.port,
    params: parts.params ?? new Map(),
    headers: parts.headers ?? NO_HEADERS,
  };
}

// Parameters that, when present in only one of two SIP URIs, make them differ (section 19.1.4).
const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

/** URI equality per RFC 3261 section 19.1.4. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind !== b.kind || a.scheme !== b.scheme) return false;
  if (a.kind === 'other' && b.kind === 'other')
    return unescapeUriPart(a.opaque) === unescapeUriPart(b.opaque);
  if (a.kind === 'tel' && b.kind === 'tel') {
    return a.number.replace(/[-.()]/g, '').toLowerCase() === b.number.replace(/[-.()]/g, '').toLowerCase();
  }
  if (a.kind !== 'sip' || b.kind !== 'sip') return false;
  const dec = (s: string | undefined) => (s === undefined ? undefined : unescapeUriPart(s));
  if (dec(a.user) !== dec(b.user) || dec(a.password) !== dec(b.password)) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
  const norm = (v: string | null | undefined) =>
    v === undefined || v === null ? v : unescapeUriPart(v).toLowerCase();
  for (const name of new Set([...a.params.keys(), ...b.params.keys()])) {
    const inA = a.params.has(name);
    const inB = b.params.has(name);
    if (inA && inB) {
      if (norm(a.params.get(name)) !== norm(b.params.get(name))) return false;
    } else if (SIGNIFICANT_PARAMS.includes(name)) {
      return false;
    }
  }
  if (a.headers.size !== b.headers.size) return false;
  for (const [n, v] of a.headers) if (dec(b.headers.get(n)) !== dec(v)) return false;
  return true;
}
