/**
 * WCTP 1.0-1.3 codec: decode an HTTP body, parse any WCTP operation leniently into typed objects,
 * build strictly valid WCTP 1.3 answers, pushes and client requests. Pure: no sockets, files or timers.
 */
export { decodeBody } from './body.ts';
export {
  type BuildOptions,
  buildClientQuery,
  buildClientQueryResponse,
  buildConfirmation,
  buildDeviceLocation,
  buildDeviceLocationResponse,
  buildLookupResponse,
  buildLookupSubscriber,
  buildMessageReply,
  buildPollForMessages,
  buildPollResponse,
  buildReturnToSvc,
  buildSendMsgMulti,
  buildSendMsgMultiResponse,
  buildStatusInfo,
  buildSubmitClientMessage,
  buildSubmitClientResponse,
  buildSubmitRequest,
  buildVersionQuery,
  buildVersionResponse,
  buildWctp,
  wctpFailure,
  wctpSuccess,
} from './build.ts';
export {
  describeWctpCode,
  WCTP_STATUS_CODES,
  WctpCode,
  type WctpCodeName,
  type WctpOutcome,
  type WctpStatusCode,
  wctpCodeName,
  wctpOutcome,
} from './error-codes.ts';
export {
  buildErrorResponse,
  buildFailureResponse,
  type FailureResponseOptions,
  failureFromError,
} from './failure-response.ts';
export type * from './operations.ts';
export { type ParseOptions, parseWctp } from './parse.ts';
export { formatWctpTimestamp, parseWctpTimestamp } from './timestamp.ts';
export type * from './types.ts';
export {
  normaliseVersion,
  tryNormaliseVersion,
  WCTP_DTD_NAMES,
  WCTP_DTD_SUPPORT,
  WCTP_OUTPUT_DOCTYPE,
  WCTP_OUTPUT_VERSION,
  WCTP_VERSIONS,
  type WctpVersion,
} from './version.ts';
export { isWctpError, WctpError } from './wctp-error.ts';
export { MAX_DOCUMENT_CHARS } from './xml-reader.ts';
