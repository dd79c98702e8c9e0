/**
 * The HL7 v2 codec: a lazy parser over raw bytes, batches, escaping, and acknowledgments.
 * Pure: no sockets, files or timers (the caller passes `now`); MLLP framing lives in ./mllp.ts.
 */

export type { AckCode } from './ack.ts';
export {
  type AckError,
  type AckOptions,
  buildAck,
  buildRejectAck,
  formatHl7Time,
  type RejectOptions,
} from './ack.ts';
export { type AckMode, ackMode } from './ack-mode.ts';
export { type BatchOptions, parseBatch } from './batch.ts';
export { charsetOf, encodeHl7, type TextCharset } from './charset.ts';
export { type Delimiters, encodingCharacters, STANDARD_DELIMITERS } from './delimiters.ts';
export { errorCodeText, HL7_ERROR_CODES, type Hl7ErrorLocation, Hl7ParseError } from './errors.ts';
export { escape, unescape } from './escape.ts';
export { type MessageHeader, parseHeader } from './header.ts';
export { DEFAULT_HL7_LIMITS, type Hl7Limits, type LimitCut } from './limits.ts';
export { Hl7Message, type MessageView, type ParseOptions } from './message.ts';
export { segmentToStandardEncoding, splitComposite, toStandardEncoding } from './reencode.ts';
export type { Repetition, Segment } from './segment.ts';
