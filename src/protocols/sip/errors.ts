/**
 * The one error the SIP codec throws for bad input.
 *
 * `status` is the response a server should send back (RFC 3261 section 21, RFC 4475 section 3):
 * 400 for malformed syntax, 505 for an unknown SIP version, 416 for an unsupported Request-URI
 * scheme, 413 for a message above the size limit, 501 for an unknown method whose CSeq does not
 * match. It is `undefined` when nothing should be sent: the input was a response (responses are
 * never answered, RFC 3261 section 17.1.3 / 18.1.2), or no start line could be found at all.
 *
 * `echo` holds the raw header values a 4xx needs (RFC 3261 section 8.2.6.2: Via, From, To,
 * Call-ID and CSeq are copied from the request), when the start line said "request" and those
 * headers were present. The transport uses it to answer; without it the request is dropped.
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  readonly status: number | undefined;
  readonly reason: string;
  echo: ErrorEcho | undefined;

  /** `status` null means "send nothing". */
  constructor(reason: string, status: number | null = 400) {
    super(status === null ? reason : `${status} ${reason}`);
    this.reason = reason;
    this.status = status ?? undefined;
  }
}

/** Raw header values copied from a rejected request into its error response. */
export interface ErrorEcho {
  via: string[];
  /** The rest may be missing (RFC 4475 3.3.1 still expects a 400 for a request without To). */
  from?: string;
  to?: string;
  callId?: string;
  cseq?: string;
}

/** A request that parsed but must be refused before it reaches a transaction user. */
export interface SipRejection {
  status: number;
  reason: string;
  /** Extra header fields the response must carry (Unsupported, Accept, ...). */
  headers: { name: string; value: string }[];
}
