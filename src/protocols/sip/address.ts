/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To
 * (RFC 3261 sections 20.10, 20.20, 20.39, 25.1).
 */
import { SipParseError } from './errors.ts';
import { formatParams, isIn, type Params, quote, readParams, Scanner, TOKEN } from './scanner.ts';
import { formatUri, parseUri, type Uri } from './uri.ts';

export interface NameAddr {
  /** Display name, unquoted and unescaped; undefined when there was none. */
  displayName?: string;
  uri: Uri;
  /** Header parameters (tag, expires, q, lr on Route is a URI param, not this). */
  params: Params;
}

/**
 * Reads one name-addr or addr-spec followed by its header parameters, leaving the scanner on the
 * ',' that separates list elements (or at the end).
 */
export function readNameAddr(sc: Scanner, what: string): NameAddr {
  sc.skipSpace();
  let displayName: string | undefined;
  let uriText: string;
  if (sc.peek() === '"') {
    displayName = sc.quoted(what);
    sc.skipSpace();
    if (sc.peek() !== '<') throw new SipParseError(`Expected '<' after display name in ${what}`);
    uriText = bracketed(sc, what);
  } else if (sc.peek() === '<') {
    uriText = bracketed(sc, what);
  } else {
    // Either `token *(LWS token) [LWS] "<"` (a display name of tokens) or an addr-spec. Display-name
    // tokens never contain ':', so scanning tokens and finding '<' decides it (RFC 4475 3.1.1.6 allows
    // no LWS before '<').
    const start = sc.pos;
    const words: string[] = [];
    for (;;) {
      const w = sc.take(TOKEN);
      if (w.length === 0) break;
      words.push(w);
      if (!sc.skipSpace()) break;
    }
    if (words.length > 0 && sc.peek() === '<') {
      displayName = words.join(' ');
      uriText = bracketed(sc, what);
    } else {
      sc.pos = start;
      // addr-spec form: the URI ends at the first ';' (header params follow), ',' or space; a URI
      // with ';', ',' or '?' of its own must be in <> (RFC 3261 section 20.10, RFC 4475 3.1.2.13).
      uriText = sc.until(';, \t');
      if (uriText.includes('?'))
        throw new SipParseError(`URI with headers must be enclosed in <> in ${what}`);
    }
  }
  const uri = parseUri(uriText, what);
  const params = readParams(sc, what);
  sc.skipSpace();
  const nameAddr: NameAddr = { uri, params };
  if (displayName !== undefined) nameAddr.displayName = displayName;
  return nameAddr;
}

function bracketed(sc: Scanner, what: string): string {
  sc.pos++; // '<'
  const text = sc.until('>');
  if (sc.done) throw new SipParseError(`Unterminated '<' in ${what}`);
  sc.pos++; // '>'
  return text;
}

/** Parses a single-valued address header (From, To). */
export function parseNameAddr(value: string, what: string): NameAddr {
  const sc = new Scanner(value);
  const na = readNameAddr(sc, what);
  if (!sc.done) throw new SipParseError(`Unexpected '${sc.peek()}' in ${what}`);
  return na;
}

/** Parses a comma-separated list of addresses (Contact, Route, Record-Route). */
export function parseNameAddrList(value: string, what: string): NameAddr[] {
  const sc = new Scanner(value);
  const list: NameAddr[] = [];
  do {
    list.push(readNameAddr(sc, what));
  } while (sc.accept(','));
  if (!sc.done) throw new SipParseError(`Unexpected '${sc.peek()}' in ${what}`);
  return list;
}

/** Serialises an address, always in name-addr form (<...>) so that URI parameters stay with the URI. */
export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined && na.displayName.length > 0) {
    out += isDisplayToken(na.displayName) ? `${na.displayName} ` : `${quote(na.displayName)} `;
  }
  return `${out}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

function isDisplayToken(s: string): boolean {
  for (const w of s.split(' ')) {
    if (w.length === 0) return false;
    for (let i = 0; i < w.length; i++) if (!isIn(TOKEN, w.charCodeAt(i))) return false;
  }
  return true;
}

export function tagOf(na: NameAddr): string | undefined {
  const t = na.params.get('tag');
  return t === null ? undefined : t;
}
