/** The SIP stack's public surface. See README.md in this folder for how the pieces fit. */
export { formatNameAddr, type NameAddr, parseNameAddr, parseNameAddrList, tagOf } from './address.ts';
export { checkRequest, type UasCapabilities } from './admission.ts';
export {
  buildAckForFailure,
  buildCancel,
  buildErrorResponseBytes,
  buildRejection,
  buildRequest,
  buildResponse,
  type LocalViaAddress,
  type NewRequestOptions,
  REASON_PHRASES,
  type ResponseOptions,
} from './build.ts';
export type { ClientInviteState, ClientTransactionUser } from './client-invite-transaction.ts';
export type { ClientNonInviteState } from './client-non-invite-transaction.ts';
export {
  acceptInDialogRequest,
  applyInDialogResponse,
  buildAckFor2xx,
  buildInDialogRequest,
  createUacDialog,
  createUasDialog,
  type Dialog,
  dialogKey,
  dialogKeyOfRequest,
  dialogKeyOfResponse,
  type InDialogOptions,
} from './dialog.ts';
export {
  type DigestAlgorithm,
  DigestClient,
  type DigestCredentials,
  DigestServer,
  type DigestServerOptions,
  type DigestVerdict,
  parseDigestParams,
} from './digest.ts';
export { type ErrorEcho, SipParseError, type SipRejection } from './errors.ts';
export { canonicalHeaderName, splitHeaderList } from './header-names.ts';
export { newBranch, newCallId, newTag } from './ids.ts';
export {
  addHeader,
  type CSeq,
  getHeader,
  getHeaderList,
  getHeaderValues,
  mediaType,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  setHeader,
} from './message.ts';
export { KNOWN_METHODS, type ParseOptions, parseMessage } from './parser.ts';
export { addressOfRecord, type Binding, Registrar, type RegistrarOptions } from './registrar.ts';
export type { Params } from './scanner.ts';
export { serializeMessage } from './serializer.ts';
export type { ServerInviteState, ServerTransactionUser } from './server-invite-transaction.ts';
export type { ServerNonInviteState } from './server-non-invite-transaction.ts';
export { SipStreamFramer, type StreamFramerOptions } from './stream-framer.ts';
export { type Clock, DEFAULT_TIMER_VALUES, type Timers, type TimerValues } from './timers.ts';
export type { TransactionChannel } from './transaction.ts';
export {
  type ClientTransaction,
  type ServerTransaction,
  TransactionLayer,
  type TransactionLayerOptions,
} from './transaction-layer.ts';
export {
  formatUri,
  type OtherUri,
  parseUri,
  type SipUri,
  sipUri,
  type TelUri,
  type Uri,
  uriEquals,
} from './uri.ts';
export { branchOf, formatVia, MAGIC_COOKIE, parseViaList, type Via } from './via.ts';
