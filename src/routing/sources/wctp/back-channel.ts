/**
 * How WCTP status and replies get back to the system that sent the message. The routing core decides
 * *what* to say (a StatusInfo when the sender asked for queued/delivered/read notices, a MessageReply when
 * a clinician answered) as outbox rows on the 'wctp-status' channel, written with the alert change that
 * causes them (status-reporter.ts). Delivery owns *how* (src/delivery/wctp/: push to `sendResponsesToID`
 * with the outbox's backoff, or a pickup box in the store for wctp-PollForMessages, or one per tracking
 * number for a transient client's wctp-ClientQuery), and the WCTP listener reads the pickup boxes.
 */

import {
  WCTP_STATUS_CHANNEL,
  type WctpNotice,
  type WctpOrigin,
  type WctpResponse,
} from '../../../protocols/wctp/notice.ts';
import type { NewDelivery } from '../../../store/outbox-port.ts';

/** For a notice no alert change causes (a refusal after the gateway confirmed): queued in the outbox. */
export interface WctpBackChannel {
  /** Must not throw or block: the outbox keeps its retries and its dead letters. */
  send(origin: WctpOrigin, response: WctpResponse, about: { alertId: number; personId?: string }): void;
}

/**
 * The outbox row for one notice. One destination per sending system, so the worker keeps a sender's
 * notices in order; `onceKey` makes it go at most once (per alert, across restarts).
 */
export function wctpNotice(notice: WctpNotice, alertId: number | null, onceKey?: string): NewDelivery {
  return {
    channel: WCTP_STATUS_CHANNEL,
    target: `wctp:${notice.origin.senderID.toLowerCase()}`,
    payload: notice,
    alertId,
    ...(onceKey ? { onceKey } : {}),
  };
}
