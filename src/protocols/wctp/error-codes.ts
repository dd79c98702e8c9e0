/**
 * WCTP status codes. WCTP 1.0 to 1.3 share one table; the codes travel in `wctp-Success@successCode`,
 * `wctp-ClientSuccess@successCode`, `wctp-Failure@errorCode` and `wctp-FailedRecipient@errorCode`.
 * The HTTP status stays 200 whatever the WCTP code (WCTP 1.3 section on HTTP transport).
 *
 * Series, as the specification groups them:
 *   2xx  the operation was accepted
 *   3xx  the document itself is wrong (unparseable, invalid, unsupported operation or version)
 *   4xx  the document is readable but a field is refused (bad sender, recipient, date, option)
 *   5xx  the message can no longer be processed (permanent)
 *   6xx  the gateway is busy or broken right now; the sender should try again later
 */

/** What a sender should do with a code. */
export type WctpOutcome = 'success' | 'temporary' | 'permanent';

export interface WctpStatusCode {
  readonly code: number;
  /** The short name, used as the `errorText` / `successText` attribute. */
  readonly name: string;
  /** When a gateway answers with this code, in our words. */
  readonly meaning: string;
  readonly outcome: WctpOutcome;
}

/** Named constants, so callers write `WctpCode.InvalidRecipientId` rather than 403. */
export const WctpCode = {
  Success: 200,
  DeprecatedVersion: 210,
  OperationNotSupported: 300,
  UnparseableInput: 301,
  XmlValidationError: 302,
  VersionError: 303,
  CannotAcceptOperation: 304,
  FunctionNotSupported: 400,
  InvalidSenderId: 401,
  InvalidSecurityCode: 402,
  InvalidRecipientId: 403,
  InvalidAuthorizationCode: 404,
  InvalidDateTime: 405,
  DateTimeRangeUnsupported: 406,
  InvalidDateTimePeriod: 407,
  DateTimeExpired: 408,
  DomainAliasNotUnique: 409,
  DomainAliasAccessDenied: 410,
  MessageTooLong: 411,
  DeliveryAckNotSupportedByDevice: 412,
  ReadAckNotSupportedByDevice: 413,
  McrNotSupportedByDevice: 414,
  McrTooLong: 415,
  TooManyMcrChoices: 416,
  DeliveryAckNotSupported: 417,
  ReadAckNotSupported: 418,
  McrNotSupported: 419,
  BinaryNotSupported: 430,
  SubscriberLimitExceeded: 431,
  InvalidPollerCredentials: 432,
  MessageTimedOut: 500,
  MessageExpired: 501,
  NoFurtherResponses: 502,
  SenderDisabled: 503,
  UnknownMessageReference: 504,
  PollRateExceeded: 600,
  ExcessivePolling: 601,
  TrafficRateExceeded: 602,
  TrafficRateExcessive: 603,
  InternalServerError: 604,
  ServiceUnavailable: 605,
} as const;

export type WctpCodeName = keyof typeof WctpCode;

const TABLE: readonly WctpStatusCode[] = [
  row(200, 'Success', 'The operation arrived and passed the first checks.', 'success'),
  row(210, 'Deprecated version', 'Accepted, but the wctpVersion used is on its way out.', 'success'),
  row(300, 'Operation not supported', 'This gateway does not implement that wctp-* operation.', 'permanent'),
  row(301, 'Input cannot be parsed', 'The body is not XML, or not well-formed XML.', 'permanent'),
  row(
    302,
    'XML validation error',
    'Well-formed, but an element or attribute is missing or wrong.',
    'permanent',
  ),
  row(303, 'Version error', 'The wctpVersion is not one this gateway speaks.', 'permanent'),
  row(304, 'Cannot accept operation', 'Refused in the current state (e.g. poll first).', 'permanent'),
  row(400, 'Function not supported', 'An option asked for is not offered for this operation.', 'permanent'),
  row(401, 'Invalid senderID', 'The sender is not known to the gateway.', 'permanent'),
  row(402, 'Invalid securityCode', 'The security code does not match the sender.', 'permanent'),
  row(403, 'Invalid recipientID', 'The recipient is not known to the gateway.', 'permanent'),
  row(404, 'Invalid authorizationCode', 'The authorization code does not match the recipient.', 'permanent'),
  row(405, 'Invalid date/time', 'A timestamp is not YYYY-MM-DDTHH:MM:SS (UTC).', 'permanent'),
  row(
    406,
    'Date/time range unsupported combination',
    'deliveryBefore is not after deliveryAfter.',
    'permanent',
  ),
  row(407, 'Invalid date/time period', 'A timestamp is further out than the gateway handles.', 'permanent'),
  row(408, 'Date/time expired', 'The delivery window has already closed.', 'permanent'),
  row(409, 'Domain alias not unique', 'WCTP 1.0 wctp-BindDomainAlias only (removed in 1.1).', 'permanent'),
  row(410, 'Domain alias access denied', 'WCTP 1.0 wctp-BindDomainAlias only (removed in 1.1).', 'permanent'),
  row(411, 'Message exceeds allowable length', 'The text is longer than the device accepts.', 'permanent'),
  row(412, 'Delivery ACK not supported by device', 'notifyWhenDelivered cannot be honoured.', 'permanent'),
  row(413, 'Read ACK not supported by device', 'notifyWhenRead cannot be honoured.', 'permanent'),
  row(414, 'MCR not supported by device', 'The device cannot show multiple-choice replies.', 'permanent'),
  row(415, 'MCRs exceed allowable length', 'The choices are too long for the device.', 'permanent'),
  row(416, 'Max MCRs exceeded', 'Too many choices for the device.', 'permanent'),
  row(417, 'Delivery ACK not supported', 'The gateway itself cannot report delivery.', 'permanent'),
  row(418, 'Read ACK not supported', 'The gateway itself cannot report reading.', 'permanent'),
  row(419, 'MCRs not supported', 'The gateway itself offers no multiple-choice replies.', 'permanent'),
  row(430, 'Binary message not supported', 'wctp-TransparentData is refused.', 'permanent'),
  row(431, 'Subscriber limit exceeded', 'Too many recipients (see maxNumRecips).', 'permanent'),
  row(432, 'Invalid pollerID or securityCode', 'wctp-PollForMessages credentials are wrong.', 'permanent'),
  row(500, 'Message timed out', 'The device never confirmed the message.', 'permanent'),
  row(501, 'Message expired', 'The message outlived its delivery window.', 'permanent'),
  row(502, 'No further responses possible', 'The message accepts no more replies.', 'permanent'),
  row(503, 'Sender permanently disabled', 'This sender may no longer submit.', 'permanent'),
  row(504, 'Unknown message reference', 'No message has that trackingNumber or messageID.', 'permanent'),
  row(600, 'Poll rate exceeded', 'Polled too soon; wait minNextPollInterval.', 'temporary'),
  row(601, 'Excessive polling', 'Polled far too often; back off.', 'temporary'),
  row(602, 'Traffic rate exceeded', 'Too many messages for now; retry later.', 'temporary'),
  row(603, 'Traffic rate excessive', 'Far too many messages; back off.', 'temporary'),
  row(604, 'Internal server error', 'The gateway failed; retry later.', 'temporary'),
  row(605, 'Service unavailable', 'The gateway is down or overloaded; retry later.', 'temporary'),
];

function row(code: number, name: string, meaning: string, outcome: WctpOutcome): WctpStatusCode {
  return Object.freeze({ code, name, meaning, outcome });
}

const BY_CODE: ReadonlyMap<number, WctpStatusCode> = new Map(TABLE.map((entry) => [entry.code, entry]));

/** Every code in the table, in ascending order. */
export const WCTP_STATUS_CODES: readonly WctpStatusCode[] = Object.freeze([...TABLE]);

/** The table row for a code, or undefined for a code WCTP does not define (e.g. NotifiUs' 606). */
export function describeWctpCode(code: number): WctpStatusCode | undefined {
  return BY_CODE.get(code);
}

/** The short name for a code; unknown codes get their series' name (e.g. "Temporary failure 606"). */
export function wctpCodeName(code: number): string {
  const known = BY_CODE.get(code);
  if (known) return known.name;
  const outcome = wctpOutcome(code);
  if (outcome === 'success') return `Success ${code}`;
  return `${outcome === 'temporary' ? 'Temporary' : 'Permanent'} failure ${code}`;
}

/**
 * What a sender should do with a code. Codes outside the table are judged by their series: 2xx is
 * success, 6xx is temporary (WCTP 1.3: "temporary, retry later"), everything else is permanent.
 */
export function wctpOutcome(code: number): WctpOutcome {
  const known = BY_CODE.get(code);
  if (known) return known.outcome;
  if (code >= 200 && code < 300) return 'success';
  if (code >= 600 && code < 700) return 'temporary';
  return 'permanent';
}
