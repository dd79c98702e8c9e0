/**
 * How WCTP status and replies get back to the system that sent the message. The routing core decides
 * *what* to say (a StatusInfo when the sender asked for queued/delivered/read notices, a MessageReply when
 * a clinician answered) as outbox rows on the 'wctp-status' channel, written with the alert change that
 * causes them (status-reporter.ts). Delivery owns *how* (src/delivery/wctp/: push to `sendResponsesToID`
 * with the outbox's backoff, or a pickup box in the store for wctp-PollForMessages, or one per tracking
 * number for a transient client's wctp-ClientQuery), and the WCTP listener reads the pickup boxes.
 */
import type { Choice, DeliveryPriority, NotificationType } from '../../../protocols/wctp/index.ts';
import type { NewDelivery } from '../../../store/outbox-port.ts';

/** What an alert raised from WCTP remembers about the message, in `alert.context.wctp`. */
export interface WctpOrigin {
  /** The sending system (wctp-Originator@senderID or wctp-ClientOriginator@senderID). */
  senderID: string;
  /** The recipientID the sender addressed. */
  recipientID: string;
  /** wctp-MessageControl@messageID; for transient clients, our tracking number. */
  messageID: string;
  transactionID?: string;
  /** Where pushes go; absent or not an http(s) URL means the sender polls. */
  sendResponsesToID?: string;
  /** Set for SubmitClientMessage: statuses and replies wait for wctp-ClientQuery under this number. */
  trackingNumber?: string;
  submitTimestamp?: string;
  /** Told QUEUED once the alert is raised (written with it). */
  notifyWhenQueued?: boolean;
  notifyWhenDelivered: boolean;
  notifyWhenRead: boolean;
  allowResponse: boolean;
  deliveryPriority: DeliveryPriority;
  /** The offered answers, with what goes back when one is chosen. */
  choices?: Choice[];
}

/** One thing to tell the sender about a message. */
export type WctpResponse =
  | { kind: 'status'; type: NotificationType }
  | { kind: 'failure'; code: number; detail: string }
  | { kind: 'reply'; text: string; mcrMessageReply: boolean };

/** For a notice no alert change causes (a refusal after the gateway confirmed): queued in the outbox. */
export interface WctpBackChannel {
  /** Must not throw or block: the outbox keeps its retries and its dead letters. */
  send(origin: WctpOrigin, response: WctpResponse, about: { alertId: number; personId?: string }): void;
}

export const WCTP_STATUS_CHANNEL = 'wctp-status';

/** The payload of a 'wctp-status' outbox row. */
export interface WctpNotice {
  origin: WctpOrigin;
  response: WctpResponse;
  personId?: string;
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

/** The store's pickup box a poller's notices wait in. */
export const pollBox = (senderID: string) => `wctp-poll:${senderID.trim().toLowerCase()}`;
/** The pickup box of a transient client's tracking number. */
export const clientBox = (trackingNumber: string) => `wctp-client:${trackingNumber}`;
