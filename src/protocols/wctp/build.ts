/**
 * Builders: each returns a complete WCTP 1.3 document (XML declaration, the 1.3 DOCTYPE, one
 * wctp-Operation) that validates against wctp-dtd-v1r3.dtd. Gateway answers, the pushes we send
 * (StatusInfo, MessageReply), and the requests we send as a client of a paging carrier.
 */
import { wctpCodeName } from './error-codes.ts';
import type {
  ClientQuery,
  ClientQueryResponseInput,
  ClientSuccess,
  DeviceLocationInput,
  DeviceLocationResponse,
  LookupResponse,
  LookupSubscriber,
  MessageReplyInput,
  PollForMessages,
  PollResponseInput,
  SendMsgMultiInput,
  SendMsgMultiResponseInput,
  StatusInfoInput,
  SubmitClientMessageInput,
  SubmitRequestInput,
  VersionQuery,
  VersionResponseInput,
  WctpOperation,
} from './operations.ts';
import type { WctpFailure, WctpResult, WctpSuccess } from './types.ts';
import { WCTP_OUTPUT_DOCTYPE, WCTP_OUTPUT_VERSION } from './version.ts';
import {
  writeClientQuery,
  writeClientQueryResponse,
  writeConfirmation,
  writeDeviceLocation,
  writeDeviceLocationResponse,
  writeLookupResponse,
  writeLookupSubscriber,
  writeMessageReply,
  writePollForMessages,
  writePollResponse,
  writeReturnToSvc,
  writeSendMsgMulti,
  writeSendMsgMultiResponse,
  writeStatusInfo,
  writeSubmitClientMessage,
  writeSubmitClientResponse,
  writeSubmitRequest,
  writeVersionQuery,
  writeVersionResponse,
} from './write-operations.ts';
import { element, serialise, type XmlNode } from './xml-writer.ts';

export interface BuildOptions {
  /** Echoed in wctp-Operation@wctpToken (WCTP 1.1+ session token), when the sender gave one. */
  wctpToken?: string;
}

/** Wraps one operation element into a WCTP 1.3 document. */
export function wctpDocument(operation: XmlNode, options: BuildOptions = {}): string {
  const root = element(
    'wctp-Operation',
    [
      ['wctpVersion', WCTP_OUTPUT_VERSION],
      ['wctpToken', options.wctpToken],
    ],
    [operation],
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${WCTP_OUTPUT_DOCTYPE}\n${serialise(root)}\n`;
}

/** A success result with the table's name as successText (code 200 unless told). */
export function wctpSuccess(code = 200, detail?: string): WctpSuccess {
  return detail === undefined
    ? { kind: 'success', code, text: wctpCodeName(code) }
    : { kind: 'success', code, text: wctpCodeName(code), detail };
}

/** A failure result with the table's name as errorText and `detail` as the element's text. */
export function wctpFailure(code: number, detail?: string): WctpFailure {
  return detail === undefined
    ? { kind: 'failure', code, text: wctpCodeName(code) }
    : { kind: 'failure', code, text: wctpCodeName(code), detail };
}

// ---------------------------------------------------------------- gateway answers

/** wctp-Confirmation: the answer to SubmitRequest, and to any push (StatusInfo, MessageReply). */
export function buildConfirmation(result: WctpResult, options?: BuildOptions): string {
  return wctpDocument(writeConfirmation(result), options);
}

/** wctp-SubmitClientResponse: the tracking number for a transient client, or a failure. */
export function buildSubmitClientResponse(
  result: ClientSuccess | WctpFailure,
  options?: BuildOptions,
): string {
  return wctpDocument(writeSubmitClientResponse(result), options);
}

/** wctp-ClientQueryResponse: replies and statuses for a tracking number, none, or a failure. */
export function buildClientQueryResponse(response: ClientQueryResponseInput, options?: BuildOptions): string {
  return wctpDocument(writeClientQueryResponse(response), options);
}

/** wctp-PollResponse: queued messages with sequence numbers, none, or a failure. */
export function buildPollResponse(response: PollResponseInput, options?: BuildOptions): string {
  return wctpDocument(writePollResponse(response), options);
}

/** wctp-VersionResponse: the WCTP releases this gateway speaks. */
export function buildVersionResponse(response: VersionResponseInput, options?: BuildOptions): string {
  return wctpDocument(writeVersionResponse(response), options);
}

/** wctp-LookupResponse: what the recipient's device can take, or a failure. */
export function buildLookupResponse(
  response: Omit<LookupResponse, 'operation'>,
  options?: BuildOptions,
): string {
  return wctpDocument(writeLookupResponse(response), options);
}

/** wctp-DeviceLocationResponse: where the device is, or a failure. */
export function buildDeviceLocationResponse(
  response: Omit<DeviceLocationResponse, 'operation'>,
  options?: BuildOptions,
): string {
  return wctpDocument(writeDeviceLocationResponse(response), options);
}

/** wctp-SendMsgMultiResponse: overall result plus each refused recipient. */
export function buildSendMsgMultiResponse(
  response: SendMsgMultiResponseInput,
  options?: BuildOptions,
): string {
  return wctpDocument(writeSendMsgMultiResponse(response), options);
}

// ---------------------------------------------------------------- pushes we send

/** wctp-StatusInfo: queued / delivered / read (wctp-Notification) or a failure with its code. */
export function buildStatusInfo(status: StatusInfoInput, options?: BuildOptions): string {
  return wctpDocument(writeStatusInfo(status), options);
}

/** wctp-MessageReply: the recipient's answer; set mcrMessageReply when it is one of the offered choices. */
export function buildMessageReply(reply: MessageReplyInput, options?: BuildOptions): string {
  return wctpDocument(writeMessageReply(reply), options);
}

/** wctp-ReturnToSvc: a WCTP address is back in service. */
export function buildReturnToSvc(address: string, options?: BuildOptions): string {
  return wctpDocument(writeReturnToSvc(address), options);
}

// ---------------------------------------------------------------- requests we send as a client

/** wctp-SubmitRequest to a paging carrier. */
export function buildSubmitRequest(request: SubmitRequestInput, options?: BuildOptions): string {
  return wctpDocument(writeSubmitRequest(request), options);
}

export function buildSubmitClientMessage(request: SubmitClientMessageInput, options?: BuildOptions): string {
  return wctpDocument(writeSubmitClientMessage(request), options);
}

export function buildClientQuery(query: Omit<ClientQuery, 'operation'>, options?: BuildOptions): string {
  return wctpDocument(writeClientQuery(query), options);
}

export function buildPollForMessages(
  poll: Omit<PollForMessages, 'operation' | 'received'> & Partial<Pick<PollForMessages, 'received'>>,
  options?: BuildOptions,
): string {
  return wctpDocument(writePollForMessages(poll), options);
}

export function buildVersionQuery(query: Omit<VersionQuery, 'operation'>, options?: BuildOptions): string {
  return wctpDocument(writeVersionQuery(query), options);
}

export function buildLookupSubscriber(
  lookup: Omit<LookupSubscriber, 'operation'>,
  options?: BuildOptions,
): string {
  return wctpDocument(writeLookupSubscriber(lookup), options);
}

export function buildDeviceLocation(request: DeviceLocationInput, options?: BuildOptions): string {
  return wctpDocument(writeDeviceLocation(request), options);
}

export function buildSendMsgMulti(request: SendMsgMultiInput, options?: BuildOptions): string {
  return wctpDocument(writeSendMsgMulti(request), options);
}

// ---------------------------------------------------------------- any operation

/** Builds any parsed operation back into a 1.3 document (relaying, polling queues, tests). */
export function buildWctp(operation: WctpOperation, options?: BuildOptions): string {
  return wctpDocument(writeOperation(operation), options);
}

function writeOperation(op: WctpOperation): XmlNode {
  switch (op.operation) {
    case 'SubmitRequest':
      return writeSubmitRequest(op);
    case 'SubmitClientMessage':
      return writeSubmitClientMessage(op);
    case 'ClientQuery':
      return writeClientQuery(op);
    case 'PollForMessages':
      return writePollForMessages(op);
    case 'VersionQuery':
      return writeVersionQuery(op);
    case 'LookupSubscriber':
      return writeLookupSubscriber(op);
    case 'DeviceLocation':
      return writeDeviceLocation(op);
    case 'SendMsgMulti':
      return writeSendMsgMulti(op);
    case 'Confirmation':
      return writeConfirmation(op.result);
    case 'StatusInfo':
      return writeStatusInfo(op);
    case 'MessageReply':
      return writeMessageReply(op);
    case 'SubmitClientResponse':
      return writeSubmitClientResponse(op.result);
    case 'ClientQueryResponse':
      return writeClientQueryResponse(op);
    case 'PollResponse':
      return writePollResponse(op);
    case 'VersionResponse':
      return writeVersionResponse(op);
    case 'LookupResponse':
      return writeLookupResponse(op);
    case 'DeviceLocationResponse':
      return writeDeviceLocationResponse(op);
    case 'SendMsgMultiResponse':
      return writeSendMsgMultiResponse(op);
    case 'ReturnToSvc':
      return writeReturnToSvc(op.address);
  }
}
