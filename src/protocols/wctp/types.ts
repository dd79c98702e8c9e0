/**
 * The shapes of WCTP 1.3 operations, named after the DTD's elements without the `wctp-` prefix.
 * Header elements (wctp-SubmitHeader, wctp-ResponseHeader, ...) are flattened into the operation:
 * `statusInfo.responseToMessageID` rather than `statusInfo.header.responseToMessageID`.
 *
 * Parsed values have the DTD's defaults filled in. Builders take the `...Input` shapes, where a
 * defaulted attribute may be left out (and is then not written). Every parsed shape is also a valid
 * input shape, so `build(parse(x))` round-trips.
 */

export type DeliveryPriority = 'HIGH' | 'NORMAL' | 'LOW';
export type NotificationType = 'QUEUED' | 'DELIVERED' | 'READ';
export type FixType = 'approximate' | 'estimated' | 'precise';
export type LocationStatus = 'ok' | 'invalid' | 'noalt' | 'nolonglat' | 'stale';
export type DtdSupportType = 'Supported' | 'Deprecated' | 'NotSupported';

// ---------------------------------------------------------------- who

/** wctp-Originator: the sender, with its credential. */
export interface Originator {
  senderID: string;
  securityCode?: string;
  miscInfo?: string;
}

/**
 * wctp-ClientOriginator: a transient client (no account), which by convention carries its password
 * in `miscInfo`. Some clients send a `securityCode` attribute instead (not in any DTD); we read it
 * and never write it.
 */
export interface ClientOriginator {
  senderID: string;
  miscInfo?: string;
  securityCode?: string;
}

/** wctp-Recipient: the device or person addressed, e.g. a pager number or extension. */
export interface Recipient {
  recipientID: string;
  authorizationCode?: string;
}

// ---------------------------------------------------------------- message control

/** The delivery options shared by wctp-MessageControl, wctp-ClientMessageControl, wctp-MsgMultiControl. */
export interface DeliveryOptions {
  /** Where status and replies go: a WCTP address the gateway pushes to. */
  sendResponsesToID?: string;
  allowResponse: boolean;
  notifyWhenQueued: boolean;
  notifyWhenDelivered: boolean;
  notifyWhenRead: boolean;
  deliveryPriority: DeliveryPriority;
  /** WCTP timestamps as sent (UTC "YYYY-MM-DDTHH:MM:SS"); checked by the parser. */
  deliveryAfter?: string;
  deliveryBefore?: string;
  preformatted: boolean;
  allowTruncation: boolean;
}

export interface MessageControl extends DeliveryOptions {
  messageID: string;
  transactionID?: string;
}

export interface MsgMultiControl extends MessageControl {
  allRecipsRequired: boolean;
}

export type DeliveryOptionsInput = Partial<DeliveryOptions>;
export interface MessageControlInput extends DeliveryOptionsInput {
  messageID: string;
  transactionID?: string;
}
export interface MsgMultiControlInput extends MessageControlInput {
  allRecipsRequired?: boolean;
}

/** wctp-LookupMessageControl. */
export interface LookupControl {
  messageID: string;
  transactionID?: string;
  sendResponsesToID?: string;
}

/** wctp-DeviceLocationControl. */
export interface DeviceLocationControl extends LookupControl {
  fixType: FixType;
}
export interface DeviceLocationControlInput extends LookupControl {
  fixType?: FixType;
}

// ---------------------------------------------------------------- payload

/** One answer offered with a multiple-choice message: wctp-Choice, or wctp-ChoicePair when `replyText` is set. */
export interface Choice {
  /** What the device shows. */
  text: string;
  /** What comes back when it is chosen (wctp-ReplyChoice); absent means the shown text comes back. */
  replyText?: string;
}

export interface AlphanumericPayload {
  kind: 'alphanumeric';
  text: string;
}

/** wctp-MCR: a message with a list of answers for the recipient to pick from. */
export interface MultipleChoicePayload {
  kind: 'multipleChoice';
  messageText: string;
  choices: Choice[];
}

/** wctp-TransparentData: bytes, base64 on the wire (or `standard`, i.e. text, in WCTP 1.0). */
export interface TransparentPayload {
  kind: 'transparent';
  type: 'OPAQUE' | 'FLEXSuite';
  bytes: Uint8Array;
}
export interface TransparentPayloadInput {
  kind: 'transparent';
  type?: 'OPAQUE' | 'FLEXSuite';
  bytes: Uint8Array;
}

export type Payload = AlphanumericPayload | MultipleChoicePayload | TransparentPayload;
export type PayloadInput = AlphanumericPayload | MultipleChoicePayload | TransparentPayloadInput;

// ---------------------------------------------------------------- results

/** wctp-Success: `code` from successCode, `text` from successText, `detail` from the element's text. */
export interface WctpSuccess {
  kind: 'success';
  code: number;
  text?: string;
  detail?: string;
}

/** wctp-Failure: `code` from errorCode, `text` from errorText, `detail` from the element's text. */
export interface WctpFailure {
  kind: 'failure';
  code: number;
  text?: string;
  detail?: string;
}

export type WctpResult = WctpSuccess | WctpFailure;

/** wctp-Notification. */
export interface Notification {
  kind: 'notification';
  type: NotificationType;
}

/** The nothing-to-report answer of a poll or client query (wctp-NoMessages). */
export interface NoMessages {
  kind: 'none';
}

// ---------------------------------------------------------------- versions

/**
 * wctp-DTDSupport: one WCTP release and how a gateway supports it. It sits with the element shapes,
 * below both the version table (which lists ours) and the operations (wctp-VersionResponse carries it).
 */
export interface DtdSupport {
  dtdName: string;
  verToken?: string;
  supportType: DtdSupportType;
  exceptions: boolean;
  supportUntil?: string;
  replacement?: string;
}
