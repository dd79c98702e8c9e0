/**
 * What the SIP gateway keeps durably: registrations of clinicians' phones (so that a restart does not
 * forget where to ring them) and a call detail record for every call it handled.
 */

/** One registered contact of an address-of-record (RFC 3261 section 10.3). */
export interface SipBindingRecord {
  /** e.g. `sip:dr.one@switchboard.local` */
  aor: string;
  /** The Contact as the phone sent it (name-addr text, expires parameter removed). */
  contact: string;
  expiresAt: Date;
  q: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER came from (`udp:127.0.0.5:5062`), for NAT'ed phones behind rport. */
  source: string;
}

/** How a call ended, in the words a switchboard operator uses. */
export type CallOutcome = 'answered' | 'no-answer' | 'busy' | 'cancelled' | 'failed' | 'unroutable';

export interface CallDetailRecord {
  /** The caller's Call-ID on the inbound leg. */
  callId: string;
  /** 'inbound' (a caller dialled a number), 'call-back' (third-party call control from an alert). */
  kind: 'inbound' | 'call-back';
  /** The caller's URI as received (kept in the record, never shown to the callee). */
  caller: string;
  /** The number or user part that was dialled. */
  dialled: string;
  /** Dial-plan entry that matched, if any. */
  route: string | null;
  /** Person who answered, if any. */
  answeredBy: string | null;
  /** The device that answered (its contact URI). */
  answeredAt: string | null;
  /** Every leg offered, in order: person, target, final status. */
  attempts: Array<{ personId: string | null; target: string; status: number; reason: string }>;
  outcome: CallOutcome;
  /** SIP status the caller finally got (200 for answered calls). */
  finalStatus: number;
  startedAt: Date;
  connectedAt: Date | null;
  endedAt: Date;
  /** Who hung up: 'caller', 'callee', 'system' or null when never connected. */
  endedBy: 'caller' | 'callee' | 'system' | null;
  alertId: number | null;
}

export interface StoredCallDetailRecord extends CallDetailRecord {
  id: number;
}

export interface SipStore {
  /** Replaces every binding of `aor` with `bindings` (an empty list removes the AOR). */
  saveBindings(aor: string, bindings: SipBindingRecord[]): Promise<void>;
  /** Bindings not yet expired at `now`, for reloading the registrar at start. */
  liveBindings(now: Date): Promise<SipBindingRecord[]>;
  recordCall(cdr: CallDetailRecord): Promise<number>;
  /** Newest first. */
  listCalls(query: { since?: Date; personId?: string; limit?: number }): Promise<StoredCallDetailRecord[]>;
}
