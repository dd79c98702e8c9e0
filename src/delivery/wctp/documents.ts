/**
 * The WCTP documents that carry a notice back to its sender: a wctp-StatusInfo or wctp-MessageReply for a
 * push or a poll, a ClientQueryResponse message for a transient client. Built from the outbox row, so every
 * attempt sends the same document: its messageID (`<gatewayId>-<row id>`) is the receiver's idempotency key.
 */
import {
  type ClientMessageInput,
  formatWctpTimestamp,
  type MessageReplyInput,
  type PolledOperationInput,
  type StatusInfoInput,
  wctpFailure,
} from '../../protocols/wctp/index.ts';
import type { WctpNotice } from '../../protocols/wctp/notice.ts';

const WCTP_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;

/** The document for a push or a poll. */
export function pushedDocument(
  { origin, response }: WctpNotice,
  gatewayId: string,
  deliveryId: number,
  at: Date,
): PolledOperationInput {
  const header = {
    responseToMessageID: origin.messageID,
    responseTimestamp: formatWctpTimestamp(at),
    ...(origin.submitTimestamp && WCTP_TIME.test(origin.submitTimestamp)
      ? { respondingToTimestamp: origin.submitTimestamp }
      : {}),
    // In a response header the originator is the addressed device and the recipient is the sender.
    originator: { senderID: origin.recipientID },
    messageControl: {
      messageID: `${gatewayId}-${deliveryId}`,
      ...(origin.transactionID ? { transactionID: origin.transactionID } : {}),
    },
    recipient: { recipientID: origin.senderID },
  };
  if (response.kind === 'reply') {
    const reply: MessageReplyInput = {
      ...header,
      mcrMessageReply: response.mcrMessageReply,
      payload: { kind: 'alphanumeric', text: response.text },
    };
    return { operation: 'MessageReply', ...reply };
  }
  const status: StatusInfoInput = {
    ...header,
    status:
      response.kind === 'status'
        ? { kind: 'notification', type: response.type }
        : wctpFailure(response.code, response.detail),
  };
  return { operation: 'StatusInfo', ...status };
}

/** The message a transient client's wctp-ClientQuery gets. */
export function clientMessage({ origin, response }: WctpNotice, at: Date): ClientMessageInput {
  const header = {
    responseTimestamp: formatWctpTimestamp(at),
    ...(origin.submitTimestamp && WCTP_TIME.test(origin.submitTimestamp)
      ? { respondingToTimestamp: origin.submitTimestamp }
      : {}),
    originator: { senderID: origin.recipientID },
    recipient: { recipientID: origin.senderID },
  };
  return response.kind === 'reply'
    ? {
        ...header,
        kind: 'reply',
        mcrMessageReply: response.mcrMessageReply,
        payload: { kind: 'alphanumeric', text: response.text },
      }
    : {
        ...header,
        kind: 'status',
        status:
          response.kind === 'status'
            ? { kind: 'notification', type: response.type }
            : wctpFailure(response.code, response.detail),
      };
}
