/**
 * The vocabulary of WCTP's way back to a sender, shared by the routing core (which decides what to tell a
 * sender), delivery (which pushes it or leaves it for pickup) and the listener (which answers
 * wctp-PollForMessages and wctp-ClientQuery from the pickup boxes). Plain data, no behaviour.
 */
import type { Choice, DeliveryPriority, NotificationType } from './types.ts';

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

/** The outbox channel WCTP notices travel on. */
export const WCTP_STATUS_CHANNEL = 'wctp-status';

/** The payload of a 'wctp-status' outbox row. */
export interface WctpNotice {
  origin: WctpOrigin;
  response: WctpResponse;
  personId?: string;
}

/** The store's pickup box a poller's notices wait in. */
export const pollBox = (senderID: string) => `wctp-poll:${senderID.trim().toLowerCase()}`;
/** The pickup box of a transient client's tracking number. */
export const clientBox = (trackingNumber: string) => `wctp-client:${trackingNumber}`;
