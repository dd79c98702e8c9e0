/**
 * The WCTP 1.3 operations (the children wctp-Operation may hold), as a union discriminated on
 * `operation`. The first group is what a sender asks of a gateway; the second is what a gateway
 * answers or pushes, which we read when we are the client of a paging carrier.
 */
import type {
  ClientOriginator,
  DeliveryOptions,
  DeliveryOptionsInput,
  DeviceLocationControl,
  DeviceLocationControlInput,
  DtdSupport,
  FixType,
  LocationStatus,
  LookupControl,
  MessageControl,
  MessageControlInput,
  MsgMultiControl,
  MsgMultiControlInput,
  NoMessages,
  Notification,
  Originator,
  Payload,
  PayloadInput,
  Recipient,
  WctpFailure,
  WctpResult,
} from './types.ts';
import type { WctpVersion } from './version.ts';

// ---------------------------------------------------------------- asked of a gateway

/** wctp-SubmitRequest: an enterprise sender (nurse call, telemetry) sends one message to one recipient. */
export interface SubmitRequest {
  operation: 'SubmitRequest';
  submitTimestamp?: string;
  originator: Originator;
  messageControl: MessageControl;
  recipient: Recipient;
  payload: Payload;
}

/** wctp-SubmitClientMessage: a transient client sends one message; it gets a tracking number back. */
export interface SubmitClientMessage {
  operation: 'SubmitClientMessage';
  submitTimestamp?: string;
  originator: ClientOriginator;
  /** The DTD defaults when the sender left wctp-ClientMessageControl out. */
  messageControl: DeliveryOptions;
  recipient: Recipient;
  payload: Payload;
}

/** wctp-ClientQuery: a transient client asks what happened to the message with that tracking number. */
export interface ClientQuery {
  operation: 'ClientQuery';
  senderID: string;
  recipientID: string;
  trackingNumber: string;
}

/** wctp-MessageReceived inside a poll: the poller's verdict on a message it got in the last batch. */
export interface MessageReceived {
  sequenceNo: string;
  result: WctpResult;
}

/** wctp-PollForMessages: a sender behind a firewall fetches its queued status and replies. */
export interface PollForMessages {
  operation: 'PollForMessages';
  pollerID: string;
  securityCode?: string;
  maxMessagesInBatch?: number;
  received: MessageReceived[];
}

/** wctp-VersionQuery. */
export interface VersionQuery {
  operation: 'VersionQuery';
  inquirer: string;
  dateTime?: string;
}

/** wctp-LookupSubscriber: can this recipient take messages, how long, with choices? */
export interface LookupSubscriber {
  operation: 'LookupSubscriber';
  originator: Originator;
  messageControl: LookupControl;
  recipient: Recipient;
}

/** wctp-DeviceLocation (1.3): where is this device? */
export interface DeviceLocation {
  operation: 'DeviceLocation';
  originator: Originator;
  messageControl: DeviceLocationControl;
  recipient: Recipient;
}

/** wctp-SendMsgMulti (1.2+): one message to several recipients. */
export interface SendMsgMulti {
  operation: 'SendMsgMulti';
  submitTimestamp?: string;
  originator: Originator;
  messageControl: MsgMultiControl;
  recipients: Recipient[];
  payload: Payload;
}

// ---------------------------------------------------------------- answered or pushed by a gateway

/** wctp-Confirmation: the generic answer, and our answer to a push. */
export interface Confirmation {
  operation: 'Confirmation';
  result: WctpResult;
}

/** The wctp-ResponseHeader of a status or reply, flattened. */
export interface ResponseHeaderFields {
  /** The messageID of the message this is about. */
  responseToMessageID: string;
  responseTimestamp?: string;
  respondingToTimestamp?: string;
  onBehalfOfRecipientID?: string;
  originator: Originator;
  messageControl: MessageControl;
  recipient: Recipient;
}

/** wctp-StatusInfo: the message was queued, delivered or read, or it failed. */
export interface StatusInfo extends ResponseHeaderFields {
  operation: 'StatusInfo';
  status: Notification | WctpFailure;
}

/** wctp-MessageReply: the recipient answered; `mcrMessageReply` when the answer is one of the choices. */
export interface MessageReply extends ResponseHeaderFields {
  operation: 'MessageReply';
  mcrMessageReply: boolean;
  payload: Payload;
}

/** wctp-ClientSuccess: the transient client's message was accepted under this tracking number. */
export interface ClientSuccess {
  kind: 'success';
  code: number;
  text?: string;
  detail?: string;
  trackingNumber: string;
}

/** wctp-SubmitClientResponse. */
export interface SubmitClientResponse {
  operation: 'SubmitClientResponse';
  result: ClientSuccess | WctpFailure;
}

/** The wctp-ClientResponseHeader fields, flattened into each client message. */
export interface ClientResponseHeaderFields {
  responseTimestamp?: string;
  respondingToTimestamp?: string;
  originator: Originator;
  recipient: Recipient;
}

/** wctp-ClientMessage: a reply (wctp-ClientMessageReply) or a status (wctp-ClientStatusInfo). */
export type ClientMessage =
  | (ClientResponseHeaderFields & { kind: 'reply'; mcrMessageReply: boolean; payload: Payload })
  | (ClientResponseHeaderFields & { kind: 'status'; status: Notification | WctpFailure });

/** wctp-ClientQueryResponse. */
export interface ClientQueryResponse {
  operation: 'ClientQueryResponse';
  /** Seconds the client should wait before asking again. */
  minNextPollInterval?: number;
  result: { kind: 'messages'; messages: ClientMessage[] } | NoMessages | WctpFailure;
}

/** What a poll can hand over (wctp-Message's choices). */
export type PolledOperation = SubmitRequest | MessageReply | StatusInfo | LookupResponse;

/** wctp-Message: one queued message with the sequence number the poller acknowledges. */
export interface PolledMessage {
  sequenceNo: string;
  message: PolledOperation;
}

/** wctp-PollResponse. */
export interface PollResponse {
  operation: 'PollResponse';
  minNextPollInterval?: number;
  result: { kind: 'messages'; messages: PolledMessage[] } | NoMessages | WctpFailure;
}

/** wctp-ContactInfo. */
export interface ContactInfo {
  email?: string;
  phone?: string;
  www?: string;
  info?: string;
}

export type DtdSupportInput = Omit<DtdSupport, 'supportType' | 'exceptions'> &
  Partial<Pick<DtdSupport, 'supportType' | 'exceptions'>>;

/** wctp-VersionResponse. */
export interface VersionResponse {
  operation: 'VersionResponse';
  responder: string;
  dateTimeOfRsp?: string;
  inquirer?: string;
  dateTimeOfReq?: string;
  invalidAfter?: string;
  contactInfo?: ContactInfo;
  result: { kind: 'dtds'; dtds: DtdSupport[] } | WctpFailure;
}

/** wctp-LookupData. */
export interface LookupData {
  kind: 'lookup';
  maxMessageLength: number;
  mcrSupported?: boolean;
  canRespond?: boolean;
}

/** wctp-LookupResponse. */
export interface LookupResponse {
  operation: 'LookupResponse';
  responseToMessageID: string;
  transactionID?: string;
  originator: Originator;
  recipient: Recipient;
  result: LookupData | WctpFailure;
}

/** wctp-LocationData. Coordinates are kept as the text sent (the DTD gives no unit or format). */
export interface LocationData {
  kind: 'location';
  status: LocationStatus;
  fixType: FixType;
  fixTimeStamp?: string;
  longitude?: string;
  latitude?: string;
  altitude?: string;
}

/** wctp-DeviceLocationResponse (1.3). */
export interface DeviceLocationResponse {
  operation: 'DeviceLocationResponse';
  responseToMessageID: string;
  transactionID?: string;
  originator: Originator;
  recipient: Recipient;
  result: LocationData | WctpFailure;
}

/** wctp-FailedRecipient: one recipient of a SendMsgMulti that was refused. */
export interface FailedRecipient {
  recipientID: string;
  code: number;
  text?: string;
}

/** wctp-SendMsgMultiResponse. */
export interface SendMsgMultiResponse {
  operation: 'SendMsgMultiResponse';
  maxNumRecips: number;
  numValidRecips?: number;
  numInvalidRecips?: number;
  result: WctpResult;
  failedRecipients: FailedRecipient[];
}

/** wctp-ReturnToSvc (1.2+): the named WCTP address is back in service. */
export interface ReturnToSvc {
  operation: 'ReturnToSvc';
  address: string;
}

/** Anything wctp-Operation can hold in WCTP 1.3. */
export type WctpOperation =
  | SubmitRequest
  | SubmitClientMessage
  | ClientQuery
  | PollForMessages
  | VersionQuery
  | LookupSubscriber
  | DeviceLocation
  | SendMsgMulti
  | Confirmation
  | StatusInfo
  | MessageReply
  | SubmitClientResponse
  | ClientQueryResponse
  | PollResponse
  | VersionResponse
  | LookupResponse
  | DeviceLocationResponse
  | SendMsgMultiResponse
  | ReturnToSvc;

export type OperationName = WctpOperation['operation'];

/** wctp-Operation's own attributes, as read. */
export interface WctpEnvelope {
  /** The release, whatever the spelling of `wctpVersion`. */
  version: WctpVersion;
  /** `wctpVersion` exactly as sent. */
  wctpVersion: string;
  /** Optional session token (1.1+), echoed back when given to a builder. */
  wctpToken?: string;
}

/** What parseWctp returns: one operation plus the envelope it came in. */
export type WctpRequest = WctpOperation & WctpEnvelope;

// ---------------------------------------------------------------- builder inputs

/** Replaces the parsed fields of T with their input (defaults optional) counterparts. */
type WithInputs<T> = {
  [K in keyof T]: K extends 'payload'
    ? PayloadInput
    : T[K] extends MsgMultiControl
      ? MsgMultiControlInput
      : T[K] extends MessageControl
        ? MessageControlInput
        : T[K] extends DeviceLocationControl
          ? DeviceLocationControlInput
          : T[K] extends DeliveryOptions
            ? DeliveryOptionsInput
            : T[K];
};

export type SubmitRequestInput = Omit<WithInputs<SubmitRequest>, 'operation'>;
export type SubmitClientMessageInput = Omit<WithInputs<SubmitClientMessage>, 'operation'>;
export type SendMsgMultiInput = Omit<WithInputs<SendMsgMulti>, 'operation'>;
export type DeviceLocationInput = Omit<WithInputs<DeviceLocation>, 'operation'>;
export type StatusInfoInput = Omit<WithInputs<StatusInfo>, 'operation'>;
export type MessageReplyInput = Omit<WithInputs<MessageReply>, 'operation' | 'mcrMessageReply'> & {
  mcrMessageReply?: boolean;
};
export type ClientMessageInput =
  | (ClientResponseHeaderFields & { kind: 'reply'; mcrMessageReply?: boolean; payload: PayloadInput })
  | (ClientResponseHeaderFields & { kind: 'status'; status: Notification | WctpFailure });
export interface ClientQueryResponseInput {
  minNextPollInterval?: number;
  result: { kind: 'messages'; messages: ClientMessageInput[] } | NoMessages | WctpFailure;
}
export type PolledOperationInput =
  | ({ operation: 'SubmitRequest' } & SubmitRequestInput)
  | ({ operation: 'MessageReply' } & MessageReplyInput)
  | ({ operation: 'StatusInfo' } & StatusInfoInput)
  | LookupResponse;
export interface PollResponseInput {
  minNextPollInterval?: number;
  result:
    | { kind: 'messages'; messages: { sequenceNo: string; message: PolledOperationInput }[] }
    | NoMessages
    | WctpFailure;
}
export type VersionResponseInput = Omit<VersionResponse, 'operation' | 'result'> & {
  result: { kind: 'dtds'; dtds: readonly DtdSupportInput[] } | WctpFailure;
};
export type SendMsgMultiResponseInput = Omit<SendMsgMultiResponse, 'operation' | 'failedRecipients'> & {
  failedRecipients?: FailedRecipient[];
};
