/**
 * A parsed HL7 v2 message as a lazy view over its raw bytes: parse() reads only MSH; the body is
 * decoded on first use of `text`, split into segments on first use of get/getAll/segments, and each
 * segment splits its fields on first access. Nothing is ever re-serialised: the stored raw bytes stay
 * the message of record.
 */
import { decodeBytes, type TextCharset } from './charset.ts';
import { type HeaderRead, type MessageHeader, readHeader } from './header.ts';
import { DEFAULT_HL7_LIMITS, type Hl7Limits, type LimitCut, LimitNotes } from './limits.ts';
import { compileMessagePath } from './path.ts';
import { type Segment, SegmentView } from './segment.ts';

export interface ParseOptions {
  /** How much of the message is read at most (default DEFAULT_HL7_LIMITS). */
  limits?: Readonly<Hl7Limits>;
}

/** The JSON shape the API shows for a parsed message. */
export interface MessageView {
  segments: Array<{
    name: string;
    /**
     * Raw (still escaped) field text indexed by HL7 field number: fields[0] is the segment id,
     * fields[n] is SEG-n. For MSH, fields[1] is the field separator and fields[2] the encoding
     * characters. An empty field is null; HL7's explicit null `""` stays the two-character string.
     */
    fields: Array<string | null>;
  }>;
}

export class Hl7Message {
  readonly header: MessageHeader;
  private readonly raw: Buffer | string;
  private readonly start: number;
  private readonly charset: TextCharset;
  private decoded?: string;
  private list?: SegmentView[];
  private named?: Map<string, SegmentView[]>;
  private readonly notes: LimitNotes;

  private constructor(raw: Buffer | string, read: HeaderRead, limits: Readonly<Hl7Limits>) {
    this.raw = raw;
    this.header = read.header;
    this.start = read.start;
    this.charset = read.charset;
    this.notes = new LimitNotes(limits);
  }

  /** Reads MSH only; throws Hl7ParseError when MSH is unusable. Everything else is read on demand. */
  static parse(raw: Buffer | string, options: ParseOptions = {}): Hl7Message {
    return new Hl7Message(raw, readHeader(raw), options.limits ?? DEFAULT_HL7_LIMITS);
  }

  /**
   * Where reading has stopped at a limit so far (segments, repetitions, components left unread). Grows
   * as the message is read; ask after reading it.
   */
  get limitCuts(): readonly LimitCut[] {
    return this.notes.cuts;
  }

  /** The cuts in one line without values (for a status detail or a log); '' when there were none. */
  limitSummary(): string {
    return this.notes.summary();
  }

  /** The message decoded per MSH-18, from 'MSH' on (leading BOM and whitespace stripped). */
  get text(): string {
    if (this.decoded === undefined) {
      this.decoded =
        typeof this.raw === 'string'
          ? this.raw.slice(this.start)
          : decodeBytes(this.raw, this.charset, this.start);
    }
    return this.decoded;
  }

  private all(): SegmentView[] {
    if (this.list === undefined) this.list = splitSegments(this.text, this.header, this.notes);
    return this.list;
  }

  /** Segments of one name, in message order (indexed once, on first use). */
  private ofName(name: string): readonly SegmentView[] {
    if (this.named === undefined) {
      this.named = new Map();
      for (const segment of this.all()) {
        const list = this.named.get(segment.name);
        if (list) list.push(segment);
        else this.named.set(segment.name, [segment]);
      }
    }
    return this.named.get(name) ?? [];
  }

  /** Segments in message order; only those named `name` when it is given. */
  segments(name?: string): Segment[] {
    if (name === undefined) return this.all().slice();
    return this.ofName(name.toUpperCase()).slice();
  }

  /**
   * The unescaped value at a path such as 'PID-3.1' or 'OBX[2]-5' (first segment and first
   * repetition unless the path names others); undefined when the message has no such element.
   * Throws TypeError for a malformed path.
   */
  get(path: string): string | undefined {
    const compiled = compileMessagePath(path);
    return this.ofName(compiled.segment)[(compiled.occurrence ?? 1) - 1]?.valueAt(compiled);
  }

  /**
   * Every non-empty value at a path, over every matching segment and every repetition (only the
   * segment occurrence or repetition the path names, when it names one). getAll('OBX-8') gives the
   * abnormal flags of all observations.
   */
  getAll(path: string): string[] {
    const compiled = compileMessagePath(path);
    const values: string[] = [];
    const matching = this.ofName(compiled.segment);
    if (compiled.occurrence !== undefined) matching[compiled.occurrence - 1]?.collect(compiled, values);
    else for (const segment of matching) segment.collect(compiled, values);
    return values;
  }

  /** Plain-data view for the HTTP API (see MessageView for the field numbering). */
  toView(): MessageView {
    return {
      segments: this.all().map((s) => ({
        name: s.name,
        fields: s.fields().map((f, i) => (i > 0 && f === '' ? null : f)),
      })),
    };
  }
}

/**
 * Splits on CR, LF or CRLF (mixed within one message too), skipping blank lines, up to the segment
 * limit; the segments beyond it are counted, not read.
 */
function splitSegments(text: string, header: MessageHeader, notes: LimitNotes): SegmentView[] {
  const d = header.delimiters;
  const segments: SegmentView[] = [];
  const counts = new Map<string, number>();
  const max = notes.limits.maxSegments;
  let from = 0;
  while (from < text.length) {
    if (segments.length === max) {
      const more = countLines(text, from);
      if (more > 0) notes.note({ where: 'message', kind: 'segments', found: max + more, read: max });
      break;
    }
    let end = from;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 0x0d || c === 0x0a) break;
      end++;
    }
    if (end > from) {
      const line = text.slice(from, end);
      // A line of only spaces (some senders pad) is not a segment; trim only when it could be one.
      if (line.charCodeAt(0) > 0x20 || line.trim() !== '') {
        const cut = line.indexOf(d.field);
        const name = cut === -1 ? line : line.slice(0, cut);
        const index = (counts.get(name) ?? 0) + 1;
        counts.set(name, index);
        segments.push(new SegmentView(line, name, index, d, notes));
      }
    }
    from = end + 1;
  }
  return segments;
}

/** Non-blank lines from `from` on (what splitSegments would have read past its limit). */
function countLines(text: string, from: number): number {
  let lines = 0;
  let inLine = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) inLine = false;
    else if (!inLine && c > 0x20) {
      inLine = true;
      lines += 1;
    }
  }
  return lines;
}
