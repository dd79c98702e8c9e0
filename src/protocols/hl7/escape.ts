/**
 * HL7 escape sequences (HL7 v2.5 chapter 2, section 2.7): a delimiter that is part of a value travels as
 * escape-char + letter + escape-char, e.g. `\F\` for the field separator. We decode the delimiter
 * escapes, hexadecimal data (`\Xhh..\`), the line-break formatting commands (`\.br\`, `\.sp\`) and drop
 * the highlight markers (`\H\`, `\N\`); every other well-formed sequence (`\Zxx\` local escapes, `\Cxxyy\`
 * and `\Mxxyyzz\` character-set switches, `\.in\` and the other formatting commands) is kept as it is,
 * and so is a lone escape character, rather than failing the message.
 */
import type { Delimiters } from './delimiters.ts';

/** Upper bound for `\.sp<n>\`, so a hostile number cannot make us allocate a huge string. */
const MAX_SKIPPED_LINES = 100;

/** Escape bodies are short codes: letters, digits and the signs used by `\.in+4\` style commands. */
const ESCAPE_BODY = /^[A-Za-z0-9.+-]+$/;
const HEX_BODY = /^(?:[0-9A-Fa-f]{2})+$/;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** `\Xhh..\` carries raw bytes; read them as UTF-8 when they are valid UTF-8, else as ISO 8859-1. */
function decodeHex(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** The text an escape body stands for, or undefined when we leave the sequence as it is. */
function decodeEscape(body: string, d: Delimiters): string | undefined {
  switch (body) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'P':
      return d.truncation;
    case 'H':
    case 'N':
      return '';
    case '.br':
    case '.sp':
      return '\n';
  }
  const first = body.charCodeAt(0);
  if (first === 0x58 /* X */ && HEX_BODY.test(body.slice(1))) return decodeHex(body.slice(1));
  if (body.startsWith('.sp')) {
    const n = Number(body.slice(3).replace(/^\+/, ''));
    if (Number.isInteger(n) && n >= 1) return '\n'.repeat(Math.min(n, MAX_SKIPPED_LINES));
  }
  return undefined;
}

/** Decodes the escape sequences of one value (a field, component or subcomponent, as raw text). */
export function unescapeText(text: string, d: Delimiters): string {
  const e = d.escape;
  let open = text.indexOf(e);
  if (open === -1 || e === '') return text;
  let out = '';
  let copied = 0;
  while (open !== -1) {
    const close = text.indexOf(e, open + 1);
    if (close === -1) break;
    const body = text.slice(open + 1, close);
    if (!ESCAPE_BODY.test(body)) {
      // Not a sequence (a lone escape character, or `\\`): keep the character, look again after it.
      open = text.indexOf(e, open + 1);
      continue;
    }
    const decoded = decodeEscape(body, d);
    if (decoded !== undefined) {
      out += text.slice(copied, open) + decoded;
      copied = close + 1;
    }
    open = text.indexOf(e, close + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Escapes a value so that it can sit inside one field, component or subcomponent: every delimiter
 * becomes its escape sequence, and CR/LF become hexadecimal escapes (a bare CR would end the segment).
 */
export function escapeText(text: string, d: Delimiters): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    let seq: string | undefined;
    if (ch === d.escape) seq = 'E';
    else if (ch === d.field) seq = 'F';
    else if (ch === d.component) seq = 'S';
    else if (ch === d.subcomponent) seq = 'T';
    else if (ch === d.repetition) seq = 'R';
    else if (ch === d.truncation) seq = 'P';
    else if (ch === '\r') seq = 'X0D';
    else if (ch === '\n') seq = 'X0A';
    if (seq !== undefined) {
      out += text.slice(copied, i) + d.escape + seq + d.escape;
      copied = i + 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// The public names of the codec's API; inside the codec the longer names keep the globals unshadowed.
export { escapeText as escape, unescapeText as unescape };
