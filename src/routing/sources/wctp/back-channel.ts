/**
 * How WCTP status and replies get back to the system that sent the message. The routing core decides
 * *what* to say (a StatusInfo when the sender asked for delivered/read notices, a MessageReply when a
 * clinician answered); the WCTP listener owns *how* (push to `sendResponsesToID` with retries, a queue
 * for wctp-PollForMessages, a queue per tracking number for transient clients' wctp-ClientQuery).
 * The listener implements this port and main.ts wires it, so routing never imports the listener.
 */
import type { Choice, DeliveryPriority, NotificationType } from '../../../protocols/wctp/index.ts';

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

export interface WctpBackChannel {
  /**
   * Queue one status or reply for the sender of `origin`. Must not throw or block: the implementation
   * keeps its own retries and records a delivery that finally failed on the alert's timeline.
   */
  send(origin: WctpOrigin, response: WctpResponse, about: { alertId: number; personId?: string }): void;
}
