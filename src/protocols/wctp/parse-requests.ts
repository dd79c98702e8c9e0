/** Readers for the operations a sender asks of a gateway (WCTP 1.3 DTD names in the comments). */
import type {
  ClientQuery,
  DeviceLocation,
  LookupSubscriber,
  MessageReceived,
  PollForMessages,
  SendMsgMulti,
  SubmitClientMessage,
  SubmitRequest,
  VersionQuery,
} from './operations.ts';
import {
  attribute,
  booleanAttribute,
  childrenOf,
  defined,
  enumAttribute,
  informativeTimestamp,
  integerAttribute,
  invalid,
  optionalChild,
  type ReadContext,
  readDeliveryOptions,
  readMessageControl,
  readOriginator,
  readPayload,
  readRecipient,
  readResult,
  requiredAttribute,
  requiredChild,
} from './read-elements.ts';
import type { XmlElement } from './xml-reader.ts';

/** wctp-SubmitRequest ( wctp-SubmitHeader ( Originator, MessageControl, Recipient ), wctp-Payload ). */
export function readSubmitRequest(ctx: ReadContext, el: XmlElement): SubmitRequest {
  const header = requiredChild(ctx, el, 'wctp-SubmitRequest', 'wctp-SubmitHeader');
  return defined({
    operation: 'SubmitRequest' as const,
    submitTimestamp: informativeTimestamp(header, 'submitTimestamp'),
    originator: readOriginator(ctx, header, 'wctp-SubmitHeader'),
    messageControl: readMessageControl(
      ctx,
      requiredChild(ctx, header, 'wctp-SubmitHeader', 'wctp-MessageControl'),
    ),
    recipient: readRecipient(ctx, singleRecipient(ctx, header, 'wctp-SubmitHeader')),
    payload: readPayload(ctx, el, 'wctp-SubmitRequest'),
  });
}

/** wctp-SubmitClientMessage ( wctp-SubmitClientHeader ( ClientOriginator, ClientMessageControl?, Recipient ), Payload ). */
export function readSubmitClientMessage(ctx: ReadContext, el: XmlElement): SubmitClientMessage {
  const headerName = 'wctp-SubmitClientHeader';
  const header = requiredChild(ctx, el, 'wctp-SubmitClientMessage', headerName);
  const control = optionalChild(ctx, header, headerName, 'wctp-ClientMessageControl');
  return defined({
    operation: 'SubmitClientMessage' as const,
    submitTimestamp: informativeTimestamp(header, 'submitTimestamp'),
    originator: readOriginator(ctx, header, headerName),
    messageControl: readDeliveryOptions(ctx, control, 'wctp-ClientMessageControl'),
    recipient: readRecipient(ctx, singleRecipient(ctx, header, headerName)),
    payload: readPayload(ctx, el, 'wctp-SubmitClientMessage'),
  });
}

/**
 * wctp-ClientQuery, EMPTY with senderID, recipientID, trackingNumber. A child-element form seen in
 * one public project (wctp-ClientQueryHeader) is not WCTP and is refused with 302.
 */
export function readClientQuery(ctx: ReadContext, el: XmlElement): ClientQuery {
  const name = 'wctp-ClientQuery';
  return {
    operation: 'ClientQuery',
    senderID: requiredAttribute(ctx, el, name, 'senderID'),
    recipientID: requiredAttribute(ctx, el, name, 'recipientID'),
    trackingNumber: requiredAttribute(ctx, el, name, 'trackingNumber'),
  };
}

/** wctp-PollForMessages ( wctp-MessageReceived* ) with pollerID, securityCode?, maxMessagesInBatch?. */
export function readPollForMessages(ctx: ReadContext, el: XmlElement): PollForMessages {
  const name = 'wctp-PollForMessages';
  const received: MessageReceived[] = childrenOf(el, 'wctp-MessageReceived').map((r) => ({
    sequenceNo: requiredAttribute(ctx, r, 'wctp-MessageReceived', 'sequenceNo'),
    result: readResult(ctx, r, 'wctp-MessageReceived'),
  }));
  return defined({
    operation: 'PollForMessages' as const,
    pollerID: requiredAttribute(ctx, el, name, 'pollerID'),
    securityCode: attribute(el, 'securityCode'),
    maxMessagesInBatch: integerAttribute(ctx, el, name, 'maxMessagesInBatch'),
    received,
  });
}

/** wctp-VersionQuery, EMPTY with inquirer and dateTime?. */
export function readVersionQuery(ctx: ReadContext, el: XmlElement): VersionQuery {
  return defined({
    operation: 'VersionQuery' as const,
    inquirer: requiredAttribute(ctx, el, 'wctp-VersionQuery', 'inquirer'),
    dateTime: informativeTimestamp(el, 'dateTime'),
  });
}

/** wctp-LookupSubscriber ( Originator, wctp-LookupMessageControl, Recipient ). */
export function readLookupSubscriber(ctx: ReadContext, el: XmlElement): LookupSubscriber {
  const name = 'wctp-LookupSubscriber';
  const controlName = 'wctp-LookupMessageControl';
  const control = requiredChild(ctx, el, name, controlName);
  return {
    operation: 'LookupSubscriber',
    originator: readOriginator(ctx, el, name),
    messageControl: defined({
      messageID: requiredAttribute(ctx, control, controlName, 'messageID'),
      transactionID: attribute(control, 'transactionID') || undefined,
      sendResponsesToID: attribute(control, 'sendResponsesToID') || undefined,
    }),
    recipient: readRecipient(ctx, singleRecipient(ctx, el, name)),
  };
}

/** wctp-DeviceLocation ( Originator, wctp-DeviceLocationControl, Recipient ), WCTP 1.3. */
export function readDeviceLocation(ctx: ReadContext, el: XmlElement): DeviceLocation {
  const name = 'wctp-DeviceLocation';
  const controlName = 'wctp-DeviceLocationControl';
  const control = requiredChild(ctx, el, name, controlName);
  const fixTypes = ['approximate', 'estimated', 'precise'] as const;
  return {
    operation: 'DeviceLocation',
    originator: readOriginator(ctx, el, name),
    messageControl: defined({
      messageID: requiredAttribute(ctx, control, controlName, 'messageID'),
      transactionID: attribute(control, 'transactionID') || undefined,
      sendResponsesToID: attribute(control, 'sendResponsesToID') || undefined,
      fixType: enumAttribute(ctx, control, controlName, 'fixType', fixTypes, 'estimated'),
    }),
    recipient: readRecipient(ctx, singleRecipient(ctx, el, name)),
  };
}

/** wctp-SendMsgMulti ( wctp-MsgMultiHeader ( Originator, wctp-MsgMultiControl, Recipient+ ), Payload ). */
export function readSendMsgMulti(ctx: ReadContext, el: XmlElement): SendMsgMulti {
  const headerName = 'wctp-MsgMultiHeader';
  const header = requiredChild(ctx, el, 'wctp-SendMsgMulti', headerName);
  const controlName = 'wctp-MsgMultiControl';
  const control = requiredChild(ctx, header, headerName, controlName);
  const recipients = childrenOf(header, 'wctp-Recipient').map((r) => readRecipient(ctx, r));
  if (recipients.length === 0) throw invalid(ctx, `${headerName} has no wctp-Recipient`);
  return defined({
    operation: 'SendMsgMulti' as const,
    submitTimestamp: informativeTimestamp(header, 'submitTimestamp'),
    originator: readOriginator(ctx, header, headerName),
    messageControl: {
      ...readMessageControl(ctx, control, controlName),
      allRecipsRequired: booleanAttribute(ctx, control, controlName, 'allRecipsRequired', false),
    },
    recipients,
    payload: readPayload(ctx, el, 'wctp-SendMsgMulti'),
  });
}

/** Exactly one wctp-Recipient: sending one message to two pagers needs wctp-SendMsgMulti. */
function singleRecipient(ctx: ReadContext, parent: XmlElement, parentName: string): XmlElement {
  const recipients = childrenOf(parent, 'wctp-Recipient');
  if (recipients.length === 0) throw invalid(ctx, `${parentName} has no wctp-Recipient`);
  if (recipients.length > 1) {
    throw invalid(ctx, `${parentName} has more than one wctp-Recipient (use wctp-SendMsgMulti)`);
  }
  return recipients[0]!;
}
