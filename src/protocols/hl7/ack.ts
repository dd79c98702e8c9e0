/**
 * Acknowledgments (HL7 v2.5 chapter 2, sections 2.9 and 2.15.8 MSA / 2.15.5 ERR).
 *
 *   MSH|^~\&|<their MSH-5>|<their MSH-6>|<their MSH-3>|<their MSH-4>|<now>||ACK^<trigger>^ACK|<new id>|<MSH-11>|<MSH-12>
 *   MSA|<AA/AE/AR or CA/CE/CR>|<their MSH-10>|<text>
 *   ERR|<v2.3 location^code, only before v2.5>|<segment^sequence^field>|<code^text^HL70357>|<E/W>||||<text>
 *
 * The ACK is written with the sender's own delimiters so that a sender with custom delimiters can read
 * it, and every value we put in is escaped. Each segment ends with CR. MLLP framing is the listener's.
 */
import { charsetOf } from './charset.ts';
import { encodingCharacters } from './delimiters.ts';
import { errorCodeText, type Hl7ErrorLocation, Hl7ParseError } from './errors.ts';
import { escapeText } from './escape.ts';
import { type MessageHeader, parseHeader, salvageHeader } from './header.ts';

/** MSA-1: original mode AA/AE/AR, enhanced mode commit CA/CE/CR (HL7 table 0008). */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

export interface AckError {
  /** HL7 table 0357 code, e.g. '101' or '207'. */
  code: string;
  /** ERR-4. @defaultValue 'E' */
  severity?: 'E' | 'W';
  location?: Hl7ErrorLocation;
  /** ERR-8 user message (and MSA-3 when no text is given). */
  text?: string;
}

export interface AckOptions {
  code: AckCode;
  /** MSH-10 of the ACK itself: a fresh id for every ACK, chosen by the caller. */
  controlId: string;
  /** MSH-7. */
  now: Date;
  /** MSA-3. */
  text?: string;
  /** Goes into ERR for AE/AR/CE/CR; without one, ERR says '207' application internal error. */
  error?: AckError;
  /** MSH-3 of the ACK (we are the receiving application); defaults to the message's MSH-5. */
  receivingApplication?: string;
  /** MSH-4 of the ACK; defaults to the message's MSH-6. */
  receivingFacility?: string;
}

/** What we answer with when the sender's version cannot be read. */
const DEFAULT_VERSION = '2.5.1';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** HL7 DTM in UTC with an explicit offset: YYYYMMDDHHMMSS+0000. */
export function formatHl7Time(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('formatHl7Time needs a valid Date');
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds()) +
    '+0000'
  );
}

/** True for versions before 2.5, whose ERR segment has only ERR-1 (ELD). Unreadable -> false. */
function beforeV25(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (m === null) return false;
  const major = Number(m[1]);
  return major < 2 || (major === 2 && Number(m[2]) < 5);
}

/** Drops trailing empty fields and joins with the field separator. */
function segment(fields: string[], fieldSeparator: string): string {
  let n = fields.length;
  while (n > 1 && fields[n - 1] === '') n--;
  return fields.slice(0, n).join(fieldSeparator);
}

function isErrorCode(code: AckCode): boolean {
  return code !== 'AA' && code !== 'CA';
}

/** Builds an ACK for a parsed header; returns the message text (segments ending with CR). */
export function buildAck(header: MessageHeader, opts: AckOptions): string {
  const d = header.delimiters;
  const fs = d.field;
  const c = d.component;
  const esc = (text: string): string => escapeText(text, d);
  // Raw MSH fields are already escaped with these delimiters: echo them exactly (full HD composites).
  const raw = header.mshFields;
  const rawOr = (n: number, value: string): string => raw?.[n] || esc(value);

  const ourApplication =
    opts.receivingApplication !== undefined
      ? esc(opts.receivingApplication)
      : rawOr(5, header.receivingApplication);
  const ourFacility =
    opts.receivingFacility !== undefined ? esc(opts.receivingFacility) : rawOr(6, header.receivingFacility);
  const messageType = header.triggerEvent === '' ? 'ACK' : `ACK${c}${esc(header.triggerEvent)}${c}ACK`;
  const version = header.version === '' ? DEFAULT_VERSION : header.version;
  // Echo MSH-18 only for the character sets encodeHl7 can write back.
  const charset =
    header.charset !== '' && charsetOf(header.charset).kind !== 'decoder' ? esc(header.charset) : '';

  const msh = segment(
    [
      'MSH',
      encodingCharacters(d),
      ourApplication,
      ourFacility,
      rawOr(3, header.sendingApplication),
      rawOr(4, header.sendingFacility),
      // Escaped: '+' of the offset is a delimiter when a sender chose it as one (MSH|+ or MSH+).
      esc(formatHl7Time(opts.now)),
      '',
      messageType,
      esc(opts.controlId),
      rawOr(11, header.processingId),
      header.version === '' ? version : rawOr(12, version),
      '',
      '',
      '',
      '',
      '',
      charset,
    ],
    fs,
  );

  const failed = isErrorCode(opts.code);
  const error: AckError | undefined = failed ? (opts.error ?? { code: '207' }) : undefined;
  const msaText = opts.text ?? (error !== undefined ? (error.text ?? errorCodeText(error.code)) : '');
  const msa = segment(['MSA', opts.code, rawOr(10, header.controlId), esc(msaText)], fs);
  const lines = [msh, msa];

  if (error !== undefined) lines.push(errSegment(error, opts.text, beforeV25(version), esc, d));
  return lines.map((l) => l + d.segment).join('');
}

/** ERR for a failed message; ERR-1 only for versions whose ERR has nothing else. */
function errSegment(
  error: AckError,
  fallbackText: string | undefined,
  withErr1: boolean,
  esc: (text: string) => string,
  d: MessageHeader['delimiters'],
): string {
  const loc = error.location;
  const where = loc
    ? [esc(loc.segment), String(loc.sequence ?? 1), loc.field?.toString() ?? '']
    : ['', '', ''];
  const codeText = errorCodeText(error.code);
  // ERR-1 (ELD, v2.3/2.4): segment^sequence^field^code&text&HL70357.
  const err1 = withErr1
    ? segment([...where, [esc(error.code), esc(codeText), 'HL70357'].join(d.subcomponent)], d.component)
    : '';
  // ERR-2 (ERL): segment^sequence^field^repetition^component.
  const erl = loc?.component !== undefined ? [...where, '1', String(loc.component)] : where;
  const err2 = loc ? segment(erl, d.component) : '';
  // ERR-3 (CWE): code^text^HL70357.
  const err3 = [esc(error.code), esc(codeText), 'HL70357'].join(d.component);
  const userMessage = esc(error.text ?? fallbackText ?? '');
  return segment(['ERR', err1, err2, err3, error.severity ?? 'E', '', '', '', userMessage], d.field);
}

export interface RejectOptions {
  controlId: string;
  now: Date;
  text?: string;
  /** MSA-1; a message we cannot read is rejected. @defaultValue 'AR' */
  code?: 'AR' | 'CR' | 'AE' | 'CE';
}

/**
 * A NAK for input that may not even parse: reads the header if it can, else salvages what it can
 * (standard delimiters otherwise), and answers with the error in ERR. Never throws on any input.
 */
export function buildRejectAck(
  raw: Buffer | string,
  err: Hl7ParseError | AckError,
  opts: RejectOptions,
): string {
  let header: MessageHeader;
  try {
    header = parseHeader(raw);
  } catch {
    header = salvageHeader(raw);
  }
  const error: AckError =
    err instanceof Hl7ParseError
      ? {
          code: err.code,
          severity: 'E',
          text: err.message,
          ...(err.location ? { location: err.location } : {}),
        }
      : err;
  const ackOptions: AckOptions = { code: opts.code ?? 'AR', controlId: opts.controlId, now: opts.now, error };
  if (opts.text !== undefined) ackOptions.text = opts.text;
  return buildAck(header, ackOptions);
}
