/**
 * The checks a UAS makes on a well-formed request before handing it to its transaction user
 * (RFC 3261 section 8.2.1-8.2.3; RFC 4475 sections 3.3.5, 3.3.6 and 3.3.13 show what each catches).
 * Syntax errors never get here: the parser already answered them.
 */
import type { SipRejection } from './errors.ts';
import { getHeader, getHeaderList, mediaType, type SipRequest } from './message.ts';

export interface UasCapabilities {
  /** Methods this UAS serves; others get 405 with Allow (section 8.2.1). */
  allowedMethods: string[];
  /** Option tags understood in Require; others get 420 with Unsupported (section 8.2.2.3). @defaultValue [] */
  supported?: string[];
  /** Body media types understood in requests; others get 415 with Accept (section 8.2.3). @defaultValue ['application/sdp'] */
  acceptedBodyTypes?: string[];
  /**
   * Media types this UAS puts in the bodies of its answers to INVITE; when the request's Accept
   * allows none of them, it gets 406 (section 21.4.7). @defaultValue ['application/sdp']
   */
  answerBodyTypes?: string[];
}

export function checkRequest(req: SipRequest, caps: UasCapabilities): SipRejection | undefined {
  if (!caps.allowedMethods.includes(req.method)) {
    return {
      status: 405,
      reason: 'Method Not Allowed',
      headers: [{ name: 'Allow', value: caps.allowedMethods.join(', ') }],
    };
  }
  // ACK and CANCEL are never refused for Require (section 8.2.2.3). Proxy-Require is for proxies only.
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const supported = new Set((caps.supported ?? []).map((t) => t.toLowerCase()));
    const unsupported = getHeaderList(req, 'Require').filter((tag) => !supported.has(tag.toLowerCase()));
    if (unsupported.length > 0) {
      return {
        status: 420,
        reason: 'Bad Extension',
        headers: [{ name: 'Unsupported', value: unsupported.join(', ') }],
      };
    }
  }
  if (req.body.length > 0) {
    const accepted = caps.acceptedBodyTypes ?? ['application/sdp'];
    const type = mediaType(req);
    if (type === undefined || !accepted.includes(type)) {
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [{ name: 'Accept', value: accepted.join(', ') }],
      };
    }
    const encodings = getHeaderList(req, 'Content-Encoding').filter((e) => e.toLowerCase() !== 'identity');
    if (encodings.length > 0) {
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [{ name: 'Accept-Encoding', value: 'identity' }],
      };
    }
  }
  if (req.method === 'INVITE' && getHeader(req, 'Accept') !== undefined) {
    const answers = caps.answerBodyTypes ?? ['application/sdp'];
    const acceptable = getHeaderList(req, 'Accept').map((a) => a.split(';')[0]!.trim().toLowerCase());
    if (!answers.some((type) => acceptable.some((range) => mediaRangeMatches(range, type)))) {
      return { status: 406, reason: 'Not Acceptable', headers: [] };
    }
  }
  return undefined;
}

function mediaRangeMatches(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  return range.endsWith('/*') && type.startsWith(range.slice(0, -1));
}
