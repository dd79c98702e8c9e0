/**
 * Reads a JSON array from a body as it arrives, a batch of elements at a time, so a large schedule is
 * never held whole: neither the body's text nor its parsed tree. A QGenda page of 100 days is tens of
 * megabytes: parsed whole, it would take about 200 MB at once and the event loop for 100 ms or more.
 *
 * Only the array's own structure is scanned here (strings, nesting, the commas between elements); each
 * batch of elements is handed to JSON.parse, which checks everything else and is several times faster than
 * any parser written in JavaScript. A body that is not an array is read whole (up to `maxBytes`) so the
 * caller can tell JSON that is not a list from text that is not JSON at all.
 */

import { StringDecoder } from 'node:string_decoder';

/** What a body turned out to be when it is not a JSON array. */
export class NotJsonArray extends Error {
  constructor(
    /** The start of the body, for a message. */
    readonly head: string,
    /** True when the body is JSON, just not an array. */
    readonly json: boolean,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'NotJsonArray';
  }
}

export interface JsonArrayOptions {
  /** Text per batch before it is parsed. @defaultValue 128 KiB (a few hundred schedule rows) */
  batchChars?: number;
  /** Most bytes read. @defaultValue 64 MiB */
  maxBytes?: number;
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/**
 * The elements of the JSON array that `body` carries, in batches. Throws NotJsonArray when the body is
 * not one (not JSON, JSON of another kind, an array cut short, or text after it), and whatever reading
 * `body` throws.
 */
export async function* jsonArrayBatches(
  body: AsyncIterable<Uint8Array>,
  options: JsonArrayOptions = {},
): AsyncGenerator<unknown[]> {
  const batchChars = options.batchChars ?? 128 * 1024;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  // Bad UTF-8 becomes U+FFFD, as Response.text() made it: a stray byte in a note fails no pull. ASCII
  // comes out as one byte a character, which JSON.parse reads faster than TextDecoder's strings.
  const decoder = new StringDecoder('utf8');
  const scan = new ArrayScan(batchChars);
  let bytes = 0;
  let head = '';
  /** The current batch's text so far, in pieces (joined once, when the batch is complete). */
  let pieces: string[] = [];
  /** A body that is not an array, kept whole for the message. */
  let other = '';
  let opened = false;
  const decode = (chunk?: Uint8Array): string =>
    chunk ? decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) : decoder.end();
  let first = true;
  const take = (chunk: string) => {
    // A byte order mark is not part of the JSON (Response.text() drops it too).
    const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    if (chunk.length > 0) first = false;
    if (head.length < 60) head += text.slice(0, 60 - head.length);
    if (scan.notArray) {
      other += text;
      return [];
    }
    // Each decoded chunk is scanned as it is (a flat string): text built up with += is read far slower.
    const cuts = scan.feed(text);
    const batches: string[] = [];
    let start = 0;
    for (const cut of cuts) {
      if (!opened) {
        // The opening bracket: what is before it is white space.
        opened = true;
        start = cut + 1;
        continue;
      }
      pieces.push(text.slice(start, cut));
      batches.push(pieces.join(''));
      pieces = [];
      start = cut + 1;
    }
    if (scan.notArray) other = text;
    else if (scan.closed) {
      pieces.push(text.slice(start, scan.closedAt));
      if (scan.trailingText(text)) throw new NotJsonArray(head, false, 'there is text after the array');
    } else pieces.push(text.slice(start));
    return batches;
  };
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw new NotJsonArray(head, false, `the body is over ${maxBytes} bytes`);
    if (scan.closed) {
      if (scan.trailingText(decode(chunk), -1))
        throw new NotJsonArray(head, false, 'there is text after the array');
      continue;
    }
    for (const batch of take(decode(chunk))) yield parseBatch(batch, head, true);
  }
  const tail = decode();
  if (scan.closed && scan.trailingText(tail, -1))
    throw new NotJsonArray(head, false, 'there is text after the array');
  if (!scan.closed) for (const batch of take(tail)) yield parseBatch(batch, head, true);
  if (scan.notArray) {
    let json = false;
    try {
      JSON.parse(other);
      json = true;
    } catch {}
    throw new NotJsonArray(head, json, json ? 'the body is JSON but not an array' : 'the body is not JSON');
  }
  if (!scan.closed) {
    const why = scan.started ? 'the array ends before its closing bracket' : 'the body is empty';
    throw new NotJsonArray(head, false, why);
  }
  const last = pieces.join('');
  if (last.trim() !== '') yield parseBatch(last, head, false);
  else if (scan.afterComma)
    throw new NotJsonArray(head, false, 'the body is not JSON (a comma before the closing bracket)');
}

/** One batch: elements separated by commas. One that ended at a comma must hold at least one element. */
function parseBatch(elements: string, head: string, cut: boolean): unknown[] {
  let batch: unknown[];
  try {
    batch = JSON.parse(`[${elements}]`) as unknown[];
  } catch {
    // Not JSON.parse's message: it quotes the body around the fault, which may name a person.
    throw new NotJsonArray(head, false, 'the body is not JSON');
  }
  // Text before a comma with no element in it ('[1, ,2]'), which the batch alone does not show.
  if (cut && batch.length === 0)
    throw new NotJsonArray(head, false, 'the body is not JSON (an empty element)');
  return batch;
}

/**
 * The array's structure, scanned one chunk of text at a time. Positions are in the chunk being fed.
 */
class ArrayScan {
  started = false;
  closed = false;
  notArray = false;
  /** Where the closing bracket is in the last chunk fed, once closed. */
  closedAt = -1;
  /** Whether the current batch starts right after a comma (so an empty last element is an error). */
  afterComma = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Characters of the current batch so far. */
  private batchLength = 0;

  constructor(private readonly batchChars: number) {}

  /** Scans one chunk; returns where in it the commas are that end a batch of at least `batchChars`. */
  feed(text: string): number[] {
    const cuts: number[] = [];
    let i = 0;
    if (!this.started) {
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      if (i === text.length) return cuts;
      if (text.charCodeAt(i) !== OPEN_BRACKET) {
        this.notArray = true;
        return cuts;
      }
      this.started = true;
      // The first batch begins after the bracket: the caller cuts there as at a comma, and drops it.
      cuts.push(i);
      i++;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let batchStart = i - this.batchLength;
    for (; i < text.length; i++) {
      if (inString) {
        // Most of a schedule is inside strings: jump to the next quote (a native search) and look back for
        // the backslashes that would escape it, instead of reading every character.
        if (escaped) {
          escaped = false;
          continue;
        }
        const quote = text.indexOf('"', i);
        const end = quote < 0 ? text.length : quote;
        let backslashes = 0;
        while (end - backslashes - 1 >= i && text.charCodeAt(end - backslashes - 1) === BACKSLASH)
          backslashes++;
        if (quote < 0) {
          escaped = backslashes % 2 === 1;
          i = text.length;
          break;
        }
        i = quote;
        if (backslashes % 2 === 0) inString = false;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          this.closed = true;
          this.closedAt = i;
          break;
        }
        depth--;
      } else if (c === COMMA && depth === 0 && i - batchStart >= this.batchChars) {
        cuts.push(i);
        batchStart = i + 1;
        this.afterComma = true;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.batchLength = i - batchStart;
    return cuts;
  }

  /** Whether anything but white space follows the closing bracket (in the chunk it closed in, or from `from`). */
  trailingText(text: string, from = this.closedAt): boolean {
    for (let i = from + 1; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) return true;
    return false;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
