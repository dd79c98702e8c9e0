/**
 * Settings of the WCTP gateway (`wctp:` in the config folder; defaults in src/config/schema.ts).
 * The routing tables under the same key (recipients, events, nurseCall) are described in
 * src/routing/sources/wctp/routing-table.ts.
 */
import type { LockoutLimits } from '../../kit/sign-in-guard.ts';

/** One sending system allowed to submit: a nurse-call or telemetry system, a paging client. */
export interface WctpSender {
  /** wctp-Originator@senderID (or wctp-ClientOriginator@senderID, or the poller's pollerID). */
  senderID: string;
  /** The shared secret, from the environment: write `${WCTP_NURSECALL_CODE}`. */
  securityCode?: string;
  /** Or its scrypt hash (`switchboard hash-password`), safe to keep in git. */
  securityCodeHash?: string;
  /**
   * A transient client (wctp-SubmitClientMessage / wctp-ClientQuery), whose password travels in
   * wctp-ClientOriginator@miscInfo. @defaultValue false
   */
  transient: boolean;
}

export interface WctpPushSettings {
  /** Attempts to push one StatusInfo or MessageReply before it is dead-lettered. @defaultValue 6 */
  attempts: number;
  /** Wait before the first retry; doubles each time. @defaultValue 2 */
  firstRetrySeconds: number;
  /** The longest wait between retries. @defaultValue 300 */
  maxRetrySeconds: number;
  /** One push may take this long before it counts as failed. @defaultValue 10 */
  timeoutSeconds: number;
}

export interface WctpGatewayOptions {
  /** Answer WCTP at POST /wctp. @defaultValue true */
  enabled: boolean;
  /** This gateway's WCTP identity (VersionResponse@responder, originator of pushes). @defaultValue 'switchboard' */
  gatewayId: string;
  /** Largest request body accepted over HTTP (413 above). @defaultValue 262144 */
  maxBodyBytes: number;
  /** Longest message text routed; longer is refused with 411 unless allowTruncation. @defaultValue 2000 */
  maxMessageLength: number;
  /** Most choices a MultipleChoice message may offer (416 above). @defaultValue 8 */
  maxChoices: number;
  /** Most recipients of one wctp-SendMsgMulti (431 above). @defaultValue 50 */
  maxRecipients: number;
  /** minNextPollInterval told to pollers and transient clients, in seconds. @defaultValue 5 */
  pollIntervalSeconds: number;
  /** Unacknowledged statuses and replies kept per poller; the oldest go first. @defaultValue 1000 */
  maxQueuedPerSender: number;
  /** Guessing limits for security codes, per senderID and per client address (src/config/sign-in-schema.ts). */
  signIn: { sender: LockoutLimits; address: LockoutLimits };
  senders: readonly WctpSender[];
  push: WctpPushSettings;
}
