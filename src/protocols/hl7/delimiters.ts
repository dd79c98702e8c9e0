/**
 * The delimiters of one message, declared by the message itself: MSH-1 is the field separator (the
 * character right after 'MSH') and MSH-2 the encoding characters, in the order component, repetition,
 * escape, subcomponent and, from v2.7, truncation (HL7 v2.5 chapter 2, section 2.5.4).
 */
import { Hl7ParseError } from './errors.ts';

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7 truncation character (fifth encoding character), when the sender declares one. */
  truncation?: string;
  /** Segments always end with CR on the wire we write (we read CR, LF and CRLF). */
  segment: '\r';
}

/** `MSH|^~\&`, what nearly every sender uses and what we answer with when nothing else is known. */
export const STANDARD_DELIMITERS: Readonly<Delimiters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
  segment: '\r',
});

/** True for characters that cannot be delimiters: letters, digits, whitespace and control characters. */
function unusableAsDelimiter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (
    c <= 0x20 ||
    c === 0x7f ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a)
  );
}

/**
 * Checks the field separator (MSH-1) as found right after the segment id. `segment` is 'MSH', 'FHS' or
 * 'BHS', all of which declare delimiters the same way.
 */
export function checkFieldSeparator(field: string | undefined, segment = 'MSH'): string {
  if (field === undefined || field === '' || field === '\r' || field === '\n') {
    throw new Hl7ParseError('101', `${segment}-1 (field separator) is missing`, {
      segment,
      sequence: 1,
      field: 1,
    });
  }
  if (unusableAsDelimiter(field)) {
    throw new Hl7ParseError('102', `${segment}-1 (field separator) must not be a letter, digit or space`, {
      segment,
      sequence: 1,
      field: 1,
    });
  }
  return field;
}

/**
 * Builds the delimiters from MSH-1 and the raw MSH-2. A repeated character is dropped before the
 * characters are assigned: some senders write `^~\\&` (the escape doubled by a programming-language
 * string literal), and reading that as "subcomponent = escape" would garble every field.
 */
export function delimitersFrom(field: string, encoding: string, segment = 'MSH'): Delimiters {
  const location = { segment, sequence: 1, field: 2 };
  if (encoding === '') {
    throw new Hl7ParseError('101', `${segment}-2 (encoding characters) is missing`, location);
  }
  const chars: string[] = [];
  for (const ch of encoding) {
    if (unusableAsDelimiter(ch) || ch === field) {
      throw new Hl7ParseError(
        '102',
        `${segment}-2 (encoding characters) holds an unusable character ${JSON.stringify(ch)}`,
        location,
      );
    }
    if (!chars.includes(ch)) chars.push(ch);
  }
  if (chars.length < 4 || chars.length > 5) {
    throw new Hl7ParseError(
      '102',
      `${segment}-2 (encoding characters) must hold 4 or 5 distinct characters, found ${JSON.stringify(encoding)}`,
      location,
    );
  }
  const d: Delimiters = {
    field,
    component: chars[0]!,
    repetition: chars[1]!,
    escape: chars[2]!,
    subcomponent: chars[3]!,
    segment: '\r',
  };
  if (chars[4] !== undefined) d.truncation = chars[4];
  return d;
}

/** The MSH-2 text that declares these delimiters (used when we write a message with them). */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}
