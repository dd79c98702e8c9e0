/**
 * The in-memory shape of a SIP message. The header fields every layer needs are parsed into typed
 * fields; all other header fields stay as raw text in `headers`, in the order received, so that a
 * message passes through this stack without losing extensions it does not understand.
 */
import type { NameAddr } from './address.ts';
import { canonicalHeaderName, splitHeaderList } from './header-names.ts';
import type { Uri } from './uri.ts';
import type { Via } from './via.ts';

export interface SipHeader {
  /** Canonical name for known fields (see header-names.ts), otherwise as received. */
  name: string;
  value: string;
}

export interface CSeq {
  seq: number;
  method: string;
}

interface SipMessageBase {
  /** Via values top first (RFC 3261 section 20.42); a message always has at least one. */
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  maxForwards?: number;
  contact: NameAddr[];
  /** `Contact: *` (REGISTER only, RFC 3261 section 10.2.2). */
  contactStar?: boolean;
  route: NameAddr[];
  recordRoute: NameAddr[];
  /** Every other header field, in received order. Content-Length is never here: it is derived from `body`. */
  headers: SipHeader[];
  /** The body exactly as received, as bytes. */
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: Uri;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** First value of an untyped header field (name in any case or compact form), or undefined. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  const wanted = canonicalHeaderName(name).toLowerCase();
  return msg.headers.find((h) => h.name.toLowerCase() === wanted)?.value;
}

/** Every value of an untyped header field as written, one per header line (for fields that are not
 * comma lists, such as WWW-Authenticate and Authorization). */
export function getHeaderValues(msg: SipMessage, name: string): string[] {
  const wanted = canonicalHeaderName(name).toLowerCase();
  return msg.headers.filter((h) => h.name.toLowerCase() === wanted).map((h) => h.value);
}

/** All values of an untyped header field, comma-separated lists split into elements. */
export function getHeaderList(msg: SipMessage, name: string): string[] {
  const wanted = canonicalHeaderName(name).toLowerCase();
  return msg.headers.filter((h) => h.name.toLowerCase() === wanted).flatMap((h) => splitHeaderList(h.value));
}

/** Replaces every occurrence of a header field with one value (or removes it when value is undefined). */
export function setHeader(msg: SipMessage, name: string, value: string | undefined): void {
  const canonical = canonicalHeaderName(name);
  const wanted = canonical.toLowerCase();
  const at = msg.headers.findIndex((h) => h.name.toLowerCase() === wanted);
  msg.headers = msg.headers.filter((h) => h.name.toLowerCase() !== wanted);
  if (value !== undefined)
    msg.headers.splice(at < 0 ? msg.headers.length : at, 0, { name: canonical, value });
}

export function addHeader(msg: SipMessage, name: string, value: string): void {
  msg.headers.push({ name: canonicalHeaderName(name), value });
}

/** The Content-Type media type, lower-cased and without parameters. */
export function mediaType(msg: SipMessage): string | undefined {
  const value = getHeader(msg, 'Content-Type');
  return value === undefined ? undefined : value.split(';')[0]!.trim().toLowerCase();
}
