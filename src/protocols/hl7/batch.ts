/**
 * Batches (HL7 v2.5 chapter 2, section 2.10.3): a file may wrap messages in FHS/BHS ... BTS/FTS, and
 * senders also just write messages back to back. Either way each message starts with an MSH segment
 * at the start of a line; the envelope segments are dropped. Each message is cut out of the input as
 * a view (Buffer.subarray / string slice) and parsed on its own, so each keeps its own MSH-18.
 */
import { Hl7ParseError } from './errors.ts';
import { Hl7Message } from './message.ts';

const ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

/** Character-level access that works the same for bytes and for text. */
interface Input {
  length: number;
  code(i: number): number;
  /** Length of a byte-order mark starting at i (0 when there is none). */
  bom(i: number): number;
}

function inputOf(raw: Buffer | string): Input {
  if (typeof raw === 'string') {
    return {
      length: raw.length,
      code: (i) => raw.charCodeAt(i),
      bom: (i) => (raw.charCodeAt(i) === 0xfeff ? 1 : 0),
    };
  }
  return {
    length: raw.length,
    code: (i) => raw[i] ?? 0,
    bom: (i) => (raw[i] === 0xef && raw[i + 1] === 0xbb && raw[i + 2] === 0xbf ? 3 : 0),
  };
}

function isLetterOrDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** The 3-letter segment id at i when it is followed by a field separator (or nothing), else ''. */
function segmentIdAt(input: Input, i: number, end: number): string {
  if (end - i < 3) return '';
  if (i + 3 < end && isLetterOrDigit(input.code(i + 3))) return '';
  return String.fromCharCode(input.code(i), input.code(i + 1), input.code(i + 2));
}

export interface BatchOptions {
  /**
   * Called for each message whose MSH is unusable (with its 0-based position in the batch and its
   * own bytes, e.g. to answer it with buildRejectAck); the message is then left out of the result.
   * Without it, the first such message throws its Hl7ParseError.
   */
  onError?: (error: Hl7ParseError, index: number, raw: Buffer | string) => void;
}

/**
 * Parses every message of a batch file or of a run of concatenated messages, in order. Throws
 * Hl7ParseError when no MSH is found, when text sits before the first message, or (without
 * `onError`) when one message is unusable.
 */
export function parseBatch(raw: Buffer | string, options: BatchOptions = {}): Hl7Message[] {
  const input = inputOf(raw);
  const starts: number[] = [];
  const ends: number[] = [];
  let open = -1;
  let envelopeSeen = false;
  let lineStart = 0;
  while (lineStart < input.length) {
    let lineEnd = lineStart;
    while (lineEnd < input.length) {
      const c = input.code(lineEnd);
      if (c === 0x0d || c === 0x0a) break;
      lineEnd++;
    }
    let p = lineStart;
    for (let skip = input.bom(p); skip > 0; skip = input.bom(p)) p += skip;
    while (p < lineEnd && (input.code(p) === 0x20 || input.code(p) === 0x09)) p++;
    if (p < lineEnd) {
      const id = segmentIdAt(input, p, lineEnd);
      if (id === 'MSH' || ENVELOPE.has(id)) {
        if (open !== -1) ends.push(lineStart);
        open = -1;
        if (id === 'MSH') {
          open = p;
          starts.push(p);
        } else {
          envelopeSeen = true;
        }
      } else if (open === -1) {
        throw new Hl7ParseError(
          '100',
          `a ${id || 'non-segment'} line sits outside any message of the batch`,
          {
            segment: id || 'MSH',
          },
        );
      }
    }
    lineStart = lineEnd + 1;
  }
  if (open !== -1) ends.push(input.length);
  if (starts.length === 0 && !envelopeSeen) {
    throw new Hl7ParseError('101', 'no MSH segment found', { segment: 'MSH', sequence: 1 });
  }
  const messages: Hl7Message[] = [];
  starts.forEach((start, n) => {
    const slice = typeof raw === 'string' ? raw.slice(start, ends[n]) : raw.subarray(start, ends[n]);
    try {
      messages.push(Hl7Message.parse(slice));
    } catch (err) {
      if (!(err instanceof Hl7ParseError)) throw err;
      if (options.onError === undefined) {
        throw new Hl7ParseError(err.code, `message ${n + 1} of the batch: ${err.message}`, err.location);
      }
      options.onError(err, n, slice);
    }
  });
  return messages;
}
