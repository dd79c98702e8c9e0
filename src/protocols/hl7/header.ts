/**
 * The fast path: read only the MSH segment of a message (HL7 v2.5 chapter 2, section 2.14.9), which is
 * all that the ingest path needs to store and acknowledge it. Only the bytes up to the first segment
 * end are decoded and split; the rest of the message is left untouched.
 */
import { charsetOf, decodeBytes, type TextCharset } from './charset.ts';
import {
  checkFieldSeparator,
  type Delimiters,
  delimitersFrom,
  encodingCharacters,
  STANDARD_DELIMITERS,
} from './delimiters.ts';
import { Hl7ParseError } from './errors.ts';
import { unescapeText } from './escape.ts';

export interface MessageHeader {
  delimiters: Delimiters;
  /**
   * MSH-3, first component (HD.1 namespace id), unescaped: 'EPIC' for 'EPIC^1.2.3^ISO'. When the
   * namespace id is empty ('^1.2.3^ISO') it is the universal id (HD.2) instead, so that a sender that
   * names itself only by OID is still told apart from one that names itself not at all.
   */
  sendingApplication: string;
  /** MSH-4, read like MSH-3. */
  sendingFacility: string;
  /** MSH-5, read like MSH-3. */
  receivingApplication: string;
  /** MSH-6, read like MSH-3. */
  receivingFacility: string;
  /** MSH-7 as sent (escaped text), e.g. '20240315083015-0500'. */
  dateTime: string;
  /** MSH-9.1, e.g. 'ORU'. */
  messageType: string;
  /** MSH-9.2, e.g. 'R01' ('' if absent). */
  triggerEvent: string;
  /** MSH-9.3, e.g. 'ORU_R01' ('' if absent). */
  messageStructure: string;
  /** MSH-10, unescaped. */
  controlId: string;
  /** MSH-11.1, e.g. 'P'. */
  processingId: string;
  /** MSH-12.1, e.g. '2.5.1'. */
  version: string;
  /** MSH-15 ('' if absent): AL, NE, ER or SU. */
  acceptAckType: string;
  /** MSH-16 ('' if absent). */
  applicationAckType: string;
  /** MSH-18, first repetition ('' if absent), e.g. 'UNICODE UTF-8' or '8859/1'. */
  charset: string;
  /**
   * The raw (still escaped) MSH fields as sent, indexed by HL7 field number: mshFields[1] is the field
   * separator, mshFields[2] the encoding characters, mshFields[3] MSH-3 and so on; mshFields[0] is
   * 'MSH'. Lets an ACK echo composite fields (MSH-3..6) exactly. Absent on hand-made headers.
   */
  mshFields?: readonly string[];
}

/** What the message parser needs besides the header: where MSH starts and how to decode the rest. */
export interface HeaderRead {
  header: MessageHeader;
  /** Offset of 'MSH' in the input (bytes for a Buffer, UTF-16 units for a string). */
  start: number;
  charset: TextCharset;
}

const BOM = 0xfeff;

/** Space, tab, CR, LF, VT, FF: what may precede MSH without making the message unreadable. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Offset of the first character after any leading BOMs and whitespace. */
function skipLeading(raw: Buffer | string): number {
  let i = 0;
  if (typeof raw === 'string') {
    while (i < raw.length) {
      const c = raw.charCodeAt(i);
      if (c === BOM || isSpace(c)) i++;
      else break;
    }
    return i;
  }
  while (i < raw.length) {
    if (raw[i] === 0xef && raw[i + 1] === 0xbb && raw[i + 2] === 0xbf) i += 3;
    else if (isSpace(raw[i]!)) i++;
    else break;
  }
  return i;
}

/** Offset of the first CR or LF at or after `from`, or the length of the input. */
function segmentEnd(raw: Buffer | string, from: number): number {
  // Native searches (memchr for a Buffer) beat a byte loop; CR is the usual terminator.
  const cr = typeof raw === 'string' ? raw.indexOf('\r', from) : raw.indexOf(0x0d, from);
  const lf = typeof raw === 'string' ? raw.indexOf('\n', from) : raw.indexOf(0x0a, from);
  if (cr === -1) return lf === -1 ? raw.length : lf;
  return lf !== -1 && lf < cr ? lf : cr;
}

function startsWithMsh(raw: Buffer | string, i: number): boolean {
  if (typeof raw === 'string') return raw.startsWith('MSH', i);
  return raw[i] === 0x4d && raw[i + 1] === 0x53 && raw[i + 2] === 0x48;
}

/**
 * Component n (1-based) of the first repetition, unescaped; '' when absent. Walks with indexOf
 * instead of splitting: this runs several times per message on the ingest path.
 */
function component(field: string | undefined, n: number, d: Delimiters): string {
  if (field === undefined || field === '') return '';
  let end = field.indexOf(d.repetition);
  if (end === -1) end = field.length;
  let from = 0;
  for (let i = 1; i < n; i++) {
    const next = field.indexOf(d.component, from);
    if (next === -1 || next >= end) return '';
    from = next + 1;
  }
  const stop = field.indexOf(d.component, from);
  if (stop !== -1 && stop < end) end = stop;
  return unescapeText(from === 0 && end === field.length ? field : field.slice(from, end), d);
}

/** First component of the first repetition, unescaped. */
function firstComponent(field: string | undefined, d: Delimiters): string {
  return component(field, 1, d);
}

/** HD (hierarchic designator): the namespace id, or the universal id when the namespace id is empty. */
function hierarchicDesignator(field: string | undefined, d: Delimiters): string {
  const namespace = firstComponent(field, d);
  return namespace !== '' ? namespace : component(field, 2, d);
}

/**
 * Reads one MSH line into a header. `lenient` is for salvaging a header to answer with a reject:
 * nothing throws, unusable delimiters fall back to the standard ones.
 */
function headerFromLine(line: string, lenient: boolean): MessageHeader {
  let delimiters: Delimiters;
  let parts: string[];
  if (lenient) {
    let field = '|';
    try {
      field = checkFieldSeparator(line[3]);
    } catch {
      // keep '|'
    }
    parts = line.split(field);
    try {
      delimiters = delimitersFrom(field, parts[1] ?? '');
    } catch {
      // Standard encoding characters, unless the field separator is one of them ('MSH\...').
      const clash = encodingCharacters(STANDARD_DELIMITERS).includes(field);
      delimiters = clash ? { ...STANDARD_DELIMITERS } : { ...STANDARD_DELIMITERS, field };
      if (clash) parts = line.split(delimiters.field);
    }
  } else {
    const field = checkFieldSeparator(line[3]);
    parts = line.split(field);
    delimiters = delimitersFrom(field, parts[1]!);
  }
  // parts[0] is 'MSH' and parts[1] MSH-2, so MSH-n is parts[n - 1]; put MSH-1 in to index by n.
  parts.splice(1, 0, delimiters.field);
  const d = delimiters;
  const messageType = firstComponent(parts[9], d);
  const controlId = unescapeText(parts[10] ?? '', d);
  if (!lenient) {
    if (messageType === '') {
      throw new Hl7ParseError('101', 'MSH-9 (message type) is missing', {
        segment: 'MSH',
        sequence: 1,
        field: 9,
      });
    }
    if (controlId === '') {
      throw new Hl7ParseError('101', 'MSH-10 (message control id) is missing', {
        segment: 'MSH',
        sequence: 1,
        field: 10,
      });
    }
  }
  return {
    delimiters,
    sendingApplication: hierarchicDesignator(parts[3], d),
    sendingFacility: hierarchicDesignator(parts[4], d),
    receivingApplication: hierarchicDesignator(parts[5], d),
    receivingFacility: hierarchicDesignator(parts[6], d),
    dateTime: parts[7] ?? '',
    messageType,
    triggerEvent: component(parts[9], 2, d),
    messageStructure: component(parts[9], 3, d),
    controlId,
    processingId: firstComponent(parts[11], d),
    version: firstComponent(parts[12], d),
    acceptAckType: firstComponent(parts[15], d),
    applicationAckType: firstComponent(parts[16], d),
    charset: firstComponent(parts[18], d),
    mshFields: parts,
  };
}

/** Reads the header and remembers where the message starts and how to decode its body. */
export function readHeader(raw: Buffer | string): HeaderRead {
  const start = skipLeading(raw);
  if (!startsWithMsh(raw, start)) {
    throw new Hl7ParseError('101', 'the message does not start with an MSH segment', {
      segment: 'MSH',
      sequence: 1,
    });
  }
  const end = segmentEnd(raw, start);
  if (typeof raw === 'string') {
    const header = headerFromLine(raw.slice(start, end), false);
    return { header, start, charset: charsetOf(header.charset) };
  }
  let header = headerFromLine(raw.toString('utf8', start, end), false);
  const charset = charsetOf(header.charset);
  if (charset.kind !== 'utf8' && hasHighByte(raw, start, end)) {
    // The delimiters and MSH-18 are ASCII, so the UTF-8 reading found them; decode the line again
    // in the declared character set for the text fields.
    header = headerFromLine(decodeBytes(raw, charset, start, end), false);
  }
  return { header, start, charset };
}

function hasHighByte(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

/** Parses only the MSH segment. Throws Hl7ParseError ('101'/'102') when MSH is unusable. */
export function parseHeader(raw: Buffer | string): MessageHeader {
  return readHeader(raw).header;
}

/** Inputs larger than this are only searched this far for an MSH to salvage. */
const SALVAGE_WINDOW = 64 * 1024;

/**
 * Best effort for a message that parseHeader refused: finds 'MSH' anywhere near the start and reads
 * what it can, with standard delimiters where the declared ones are unusable. Never throws; fields
 * it cannot read are ''.
 */
export function salvageHeader(raw: Buffer | string): MessageHeader {
  const text =
    typeof raw === 'string' ? raw.slice(0, SALVAGE_WINDOW) : raw.toString('utf8', 0, SALVAGE_WINDOW);
  const at = text.indexOf('MSH');
  const line = at === -1 ? 'MSH|^~\\&' : text.slice(at, segmentEnd(text, at));
  return headerFromLine(line, true);
}
