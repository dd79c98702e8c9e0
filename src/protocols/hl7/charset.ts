/**
 * Character sets: MSH-18 names the encoding of the message's bytes with HL7 table 0211 values
 * ('ASCII', '8859/1', 'UNICODE UTF-8', ...). Delimiters are always ASCII, so the header can be read
 * before the character set is known; the rest of the message is decoded once we know it.
 */

/** How to turn a message's bytes into text. */
export type TextCharset = { kind: 'utf8' } | { kind: 'latin1' } | { kind: 'decoder'; label: string };

const UTF8: TextCharset = { kind: 'utf8' };
const LATIN1: TextCharset = { kind: 'latin1' };

/**
 * Table 0211 names (and spellings senders use instead) mapped to a decoder. ASCII is read as UTF-8:
 * for true 7-bit ASCII the result is the same, and senders that declare ASCII but send UTF-8 (common)
 * are read correctly instead of being stripped of their high bits. Unknown names fall back to UTF-8.
 */
const TABLE_0211: ReadonlyMap<string, TextCharset> = new Map<string, TextCharset>([
  ['ASCII', UTF8],
  ['US-ASCII', UTF8],
  ['UNICODE UTF-8', UTF8],
  ['UTF-8', UTF8],
  ['UTF8', UTF8],
  ['UNICODE', UTF8],
  ['8859/1', LATIN1],
  ['ISO-8859-1', LATIN1],
  ['ISO8859-1', LATIN1],
  ['ISO_8859-1', LATIN1],
  ['LATIN1', LATIN1],
  ['8859/2', { kind: 'decoder', label: 'iso-8859-2' }],
  ['8859/3', { kind: 'decoder', label: 'iso-8859-3' }],
  ['8859/4', { kind: 'decoder', label: 'iso-8859-4' }],
  ['8859/5', { kind: 'decoder', label: 'iso-8859-5' }],
  ['8859/6', { kind: 'decoder', label: 'iso-8859-6' }],
  ['8859/7', { kind: 'decoder', label: 'iso-8859-7' }],
  ['8859/8', { kind: 'decoder', label: 'iso-8859-8' }],
  ['8859/9', { kind: 'decoder', label: 'iso-8859-9' }],
  ['8859/15', { kind: 'decoder', label: 'iso-8859-15' }],
  ['WINDOWS-1252', { kind: 'decoder', label: 'windows-1252' }],
  ['CP1252', { kind: 'decoder', label: 'windows-1252' }],
  ['GB 18030-2000', { kind: 'decoder', label: 'gb18030' }],
  ['BIG-5', { kind: 'decoder', label: 'big5' }],
  ['KS X 1001', { kind: 'decoder', label: 'euc-kr' }],
]);

/** The decoder for an MSH-18 value ('' or unknown -> UTF-8). */
export function charsetOf(msh18: string): TextCharset {
  if (msh18 === '') return UTF8;
  return TABLE_0211.get(msh18.trim().toUpperCase()) ?? UTF8;
}

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      // A Node built without full ICU lacks the legacy encodings; UTF-8 is then the best we can do.
      decoder = null;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

/** Decodes bytes [start, end) of a message. Never throws: bad sequences become U+FFFD. */
export function decodeBytes(bytes: Buffer, charset: TextCharset, start = 0, end = bytes.length): string {
  if (charset.kind === 'latin1') return bytes.toString('latin1', start, end);
  if (charset.kind === 'decoder') {
    const decoder = decoderFor(charset.label);
    if (decoder !== null) return decoder.decode(bytes.subarray(start, end));
  }
  return bytes.toString('utf8', start, end);
}

/**
 * Encodes an outgoing message (an ACK we built) for the wire, in the character set its own MSH-18
 * declares: ISO 8859-1 when it says '8859/1' (characters outside it become '?'), UTF-8 otherwise.
 */
export function encodeHl7(text: string): Buffer {
  const charset = charsetOf(declaredCharset(text));
  if (charset.kind !== 'latin1') return Buffer.from(text, 'utf8');
  // Buffer's latin1 encoder keeps only the low byte of each code unit; replace what 8859-1 lacks.
  return Buffer.from(text.replace(/[^\u0000-\u00ff]/gu, '?'), 'latin1');
}

/** MSH-18 (first repetition) of a message given as text, read without the full parser. */
function declaredCharset(text: string): string {
  const start = text.indexOf('MSH');
  if (start === -1) return '';
  const fieldSeparator = text[start + 3];
  const encoding = text.slice(start + 4, start + 8);
  if (fieldSeparator === undefined || encoding.length < 2) return '';
  let end = text.length;
  for (const eol of ['\r', '\n']) {
    const at = text.indexOf(eol, start);
    if (at !== -1 && at < end) end = at;
  }
  const msh18 = text.slice(start, end).split(fieldSeparator)[17] ?? '';
  const repetition = encoding[1]!;
  const component = encoding[0]!;
  return msh18.split(repetition)[0]!.split(component)[0]!;
}
