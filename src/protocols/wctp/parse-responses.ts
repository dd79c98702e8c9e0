/**
 * Readers for what a gateway answers or pushes: we read these as the client of a paging carrier,
 * and when a carrier pushes status and replies to our sendResponsesToID.
 */
import type {
  ClientMessage,
  ClientQueryResponse,
  ClientResponseHeaderFields,
  Confirmation,
  ContactInfo,
  DeviceLocationResponse,
  LookupResponse,
  MessageReply,
  PolledMessage,
  PollResponse,
  ResponseHeaderFields,
  ReturnToSvc,
  SendMsgMultiResponse,
  StatusInfo,
  SubmitClientResponse,
  VersionResponse,
} from './operations.ts';
import { readSubmitRequest } from './parse-requests.ts';
import {
  attribute,
  booleanAttribute,
  childrenOf,
  defined,
  enumAttribute,
  informativeTimestamp,
  integerAttribute,
  invalid,
  oneOf,
  optionalBooleanAttribute,
  optionalChild,
  type ReadContext,
  readFailure,
  readMessageControl,
  readOriginator,
  readPayload,
  readRecipient,
  readResult,
  readStatus,
  readSuccess,
  requiredAttribute,
  requiredChild,
  requiredIntegerAttribute,
} from './read-elements.ts';
import type { DtdSupport, WctpFailure } from './types.ts';
import type { XmlElement } from './xml-reader.ts';

/** wctp-Confirmation ( wctp-Failure | wctp-Success ). */
export function readConfirmation(ctx: ReadContext, el: XmlElement): Confirmation {
  return { operation: 'Confirmation', result: readResult(ctx, el, 'wctp-Confirmation') };
}

/** wctp-ResponseHeader ( Originator, MessageControl, Recipient ) with responseToMessageID. */
function readResponseHeader(ctx: ReadContext, parent: XmlElement, parentName: string): ResponseHeaderFields {
  const name = 'wctp-ResponseHeader';
  const header = requiredChild(ctx, parent, parentName, name);
  const recipient = requiredChild(ctx, header, name, 'wctp-Recipient');
  return defined({
    responseToMessageID: requiredAttribute(ctx, header, name, 'responseToMessageID'),
    responseTimestamp: informativeTimestamp(header, 'responseTimestamp'),
    respondingToTimestamp: informativeTimestamp(header, 'respondingToTimestamp'),
    onBehalfOfRecipientID: attribute(header, 'onBehalfOfRecipientID') || undefined,
    originator: readOriginator(ctx, header, name),
    messageControl: readMessageControl(ctx, requiredChild(ctx, header, name, 'wctp-MessageControl')),
    recipient: readRecipient(ctx, recipient),
  });
}

/** wctp-StatusInfo ( wctp-ResponseHeader, ( wctp-Failure | wctp-Notification ) ). */
export function readStatusInfo(ctx: ReadContext, el: XmlElement): StatusInfo {
  return {
    operation: 'StatusInfo',
    ...readResponseHeader(ctx, el, 'wctp-StatusInfo'),
    status: readStatus(ctx, el, 'wctp-StatusInfo'),
  };
}

/** wctp-MessageReply ( wctp-ResponseHeader, wctp-Payload ) with MCRMessageReply. */
export function readMessageReply(ctx: ReadContext, el: XmlElement): MessageReply {
  return {
    operation: 'MessageReply',
    ...readResponseHeader(ctx, el, 'wctp-MessageReply'),
    mcrMessageReply: booleanAttribute(ctx, el, 'wctp-MessageReply', 'MCRMessageReply', false),
    payload: readPayload(ctx, el, 'wctp-MessageReply'),
  };
}

/** wctp-SubmitClientResponse ( wctp-Failure | wctp-ClientSuccess ). */
export function readSubmitClientResponse(ctx: ReadContext, el: XmlElement): SubmitClientResponse {
  const [name, child] = oneOf(ctx, el, 'wctp-SubmitClientResponse', [
    'wctp-ClientSuccess',
    'wctp-Failure',
  ] as const);
  if (name === 'wctp-Failure') return { operation: 'SubmitClientResponse', result: readFailure(ctx, child) };
  return {
    operation: 'SubmitClientResponse',
    result: {
      ...readSuccess(ctx, child, name),
      trackingNumber: requiredAttribute(ctx, child, name, 'trackingNumber'),
    },
  };
}

function readClientResponseHeader(
  ctx: ReadContext,
  parent: XmlElement,
  parentName: string,
): ClientResponseHeaderFields {
  const name = 'wctp-ClientResponseHeader';
  const header = requiredChild(ctx, parent, parentName, name);
  return defined({
    responseTimestamp: informativeTimestamp(header, 'responseTimestamp'),
    respondingToTimestamp: informativeTimestamp(header, 'respondingToTimestamp'),
    originator: readOriginator(ctx, header, name),
    recipient: readRecipient(ctx, requiredChild(ctx, header, name, 'wctp-Recipient')),
  });
}

function readClientMessage(ctx: ReadContext, el: XmlElement): ClientMessage {
  const [name, child] = oneOf(ctx, el, 'wctp-ClientMessage', [
    'wctp-ClientMessageReply',
    'wctp-ClientStatusInfo',
  ] as const);
  if (name === 'wctp-ClientStatusInfo') {
    return {
      kind: 'status',
      ...readClientResponseHeader(ctx, child, name),
      status: readStatus(ctx, child, name),
    };
  }
  return {
    kind: 'reply',
    ...readClientResponseHeader(ctx, child, name),
    mcrMessageReply: booleanAttribute(ctx, child, name, 'MCRMessageReply', false),
    payload: readPayload(ctx, child, name),
  };
}

/** Reads the ( list+ | wctp-NoMessages | wctp-Failure ) choice shared by poll and client-query answers. */
function readMessagesOrNone<T>(
  ctx: ReadContext,
  el: XmlElement,
  elName: string,
  itemName: string,
  readItem: (item: XmlElement) => T,
): { kind: 'messages'; messages: T[] } | { kind: 'none' } | WctpFailure {
  const items = childrenOf(el, itemName);
  const none = optionalChild(ctx, el, elName, 'wctp-NoMessages');
  const failure = optionalChild(ctx, el, elName, 'wctp-Failure');
  const present = [items.length > 0, none !== undefined, failure !== undefined].filter(Boolean).length;
  if (present !== 1)
    throw invalid(ctx, `${elName} must hold ${itemName} elements, wctp-NoMessages or wctp-Failure`);
  if (failure) return readFailure(ctx, failure);
  if (none) return { kind: 'none' };
  return { kind: 'messages', messages: items.map(readItem) };
}

/** wctp-ClientQueryResponse ( wctp-ClientMessage+ | wctp-NoMessages | wctp-Failure ). */
export function readClientQueryResponse(ctx: ReadContext, el: XmlElement): ClientQueryResponse {
  const name = 'wctp-ClientQueryResponse';
  return defined({
    operation: 'ClientQueryResponse' as const,
    minNextPollInterval: integerAttribute(ctx, el, name, 'minNextPollInterval'),
    result: readMessagesOrNone(ctx, el, name, 'wctp-ClientMessage', (m) => readClientMessage(ctx, m)),
  });
}

function readPolledMessage(ctx: ReadContext, el: XmlElement): PolledMessage {
  const [name, child] = oneOf(ctx, el, 'wctp-Message', [
    'wctp-SubmitRequest',
    'wctp-MessageReply',
    'wctp-StatusInfo',
    'wctp-LookupResponse',
  ] as const);
  const sequenceNo = requiredAttribute(ctx, el, 'wctp-Message', 'sequenceNo');
  if (name === 'wctp-SubmitRequest') return { sequenceNo, message: readSubmitRequest(ctx, child) };
  if (name === 'wctp-MessageReply') return { sequenceNo, message: readMessageReply(ctx, child) };
  if (name === 'wctp-StatusInfo') return { sequenceNo, message: readStatusInfo(ctx, child) };
  return { sequenceNo, message: readLookupResponse(ctx, child) };
}

/** wctp-PollResponse ( wctp-Message+ | wctp-Failure | wctp-NoMessages ). */
export function readPollResponse(ctx: ReadContext, el: XmlElement): PollResponse {
  const name = 'wctp-PollResponse';
  return defined({
    operation: 'PollResponse' as const,
    minNextPollInterval: integerAttribute(ctx, el, name, 'minNextPollInterval'),
    result: readMessagesOrNone(ctx, el, name, 'wctp-Message', (m) => readPolledMessage(ctx, m)),
  });
}

/** wctp-VersionResponse ( wctp-ContactInfo?, ( wctp-Failure | wctp-DTDSupport+ ) ). */
export function readVersionResponse(ctx: ReadContext, el: XmlElement): VersionResponse {
  const name = 'wctp-VersionResponse';
  const contact = optionalChild(ctx, el, name, 'wctp-ContactInfo');
  const failure = optionalChild(ctx, el, name, 'wctp-Failure');
  const dtds = childrenOf(el, 'wctp-DTDSupport');
  if ((failure ? 1 : 0) + (dtds.length > 0 ? 1 : 0) !== 1) {
    throw invalid(ctx, `${name} must hold wctp-DTDSupport elements or one wctp-Failure`);
  }
  const supportTypes = ['Supported', 'Deprecated', 'NotSupported'] as const;
  const readDtd = (d: XmlElement): DtdSupport =>
    defined({
      dtdName: requiredAttribute(ctx, d, 'wctp-DTDSupport', 'dtdName'),
      verToken: attribute(d, 'verToken') || undefined,
      supportType: enumAttribute(ctx, d, 'wctp-DTDSupport', 'supportType', supportTypes, 'Supported'),
      exceptions: booleanAttribute(ctx, d, 'wctp-DTDSupport', 'exceptions', false),
      supportUntil: attribute(d, 'supportUntil') || undefined,
      replacement: attribute(d, 'replacement') || undefined,
    });
  const contactInfo: ContactInfo | undefined = contact
    ? defined({
        email: attribute(contact, 'email'),
        phone: attribute(contact, 'phone'),
        www: attribute(contact, 'www'),
        info: attribute(contact, 'info'),
      })
    : undefined;
  return defined({
    operation: 'VersionResponse' as const,
    responder: requiredAttribute(ctx, el, name, 'responder'),
    dateTimeOfRsp: informativeTimestamp(el, 'dateTimeOfRsp'),
    inquirer: attribute(el, 'inquirer') || undefined,
    dateTimeOfReq: informativeTimestamp(el, 'dateTimeOfReq'),
    invalidAfter: informativeTimestamp(el, 'invalidAfter'),
    contactInfo,
    result: failure ? readFailure(ctx, failure) : { kind: 'dtds' as const, dtds: dtds.map(readDtd) },
  });
}

/** The shared frame of wctp-LookupResponse and wctp-DeviceLocationResponse. */
function readAnswerFrame(ctx: ReadContext, el: XmlElement, name: string) {
  return defined({
    responseToMessageID: requiredAttribute(ctx, el, name, 'responseToMessageID'),
    transactionID: attribute(el, 'transactionID') || undefined,
    originator: readOriginator(ctx, el, name),
    recipient: readRecipient(ctx, requiredChild(ctx, el, name, 'wctp-Recipient')),
  });
}

/** wctp-LookupResponse ( Originator, Recipient, ( wctp-LookupData | wctp-Failure ) ). */
export function readLookupResponse(ctx: ReadContext, el: XmlElement): LookupResponse {
  const name = 'wctp-LookupResponse';
  const [which, child] = oneOf(ctx, el, name, ['wctp-LookupData', 'wctp-Failure'] as const);
  const result =
    which === 'wctp-Failure'
      ? readFailure(ctx, child)
      : defined({
          kind: 'lookup' as const,
          maxMessageLength: requiredIntegerAttribute(ctx, child, which, 'maxMessageLength'),
          mcrSupported: optionalBooleanAttribute(ctx, child, which, 'mcrSupported'),
          canRespond: optionalBooleanAttribute(ctx, child, which, 'canRespond'),
        });
  return { operation: 'LookupResponse', ...readAnswerFrame(ctx, el, name), result };
}

/** wctp-DeviceLocationResponse ( Originator, Recipient, ( wctp-LocationData | wctp-Failure ) ). */
export function readDeviceLocationResponse(ctx: ReadContext, el: XmlElement): DeviceLocationResponse {
  const name = 'wctp-DeviceLocationResponse';
  const [which, child] = oneOf(ctx, el, name, ['wctp-LocationData', 'wctp-Failure'] as const);
  const statuses = ['ok', 'invalid', 'noalt', 'nolonglat', 'stale'] as const;
  const fixTypes = ['approximate', 'estimated', 'precise'] as const;
  const result =
    which === 'wctp-Failure'
      ? readFailure(ctx, child)
      : defined({
          kind: 'location' as const,
          status: enumAttribute(ctx, child, which, 'status', statuses),
          fixType: enumAttribute(ctx, child, which, 'fixType', fixTypes),
          fixTimeStamp: informativeTimestamp(child, 'fixTimeStamp'),
          longitude: attribute(child, 'longitude') || undefined,
          latitude: attribute(child, 'latitude') || undefined,
          altitude: attribute(child, 'altitude') || undefined,
        });
  return { operation: 'DeviceLocationResponse', ...readAnswerFrame(ctx, el, name), result };
}

/** wctp-SendMsgMultiResponse ( ( wctp-Failure | wctp-Success ), wctp-FailedRecipient* ). */
export function readSendMsgMultiResponse(ctx: ReadContext, el: XmlElement): SendMsgMultiResponse {
  const name = 'wctp-SendMsgMultiResponse';
  const failedRecipients = childrenOf(el, 'wctp-FailedRecipient').map((f) =>
    defined({
      recipientID: requiredAttribute(ctx, f, 'wctp-FailedRecipient', 'recipientID'),
      code: requiredIntegerAttribute(ctx, f, 'wctp-FailedRecipient', 'errorCode'),
      text: attribute(f, 'errorText') || undefined,
    }),
  );
  return defined({
    operation: 'SendMsgMultiResponse' as const,
    maxNumRecips: requiredIntegerAttribute(ctx, el, name, 'maxNumRecips'),
    numValidRecips: integerAttribute(ctx, el, name, 'numValidRecips'),
    numInvalidRecips: integerAttribute(ctx, el, name, 'numInvalidRecips'),
    result: readResult(ctx, el, name),
    failedRecipients,
  });
}

/** wctp-ReturnToSvc ( #PCDATA ): one WCTP address that is back in service. */
export function readReturnToSvc(ctx: ReadContext, el: XmlElement): ReturnToSvc {
  const address = el.text.trim();
  if (address === '') throw invalid(ctx, 'wctp-ReturnToSvc holds no address');
  return { operation: 'ReturnToSvc', address };
}
