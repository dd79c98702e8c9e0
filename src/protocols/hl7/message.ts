/**
 * A parsed HL7 v2 message as a lazy view over its raw bytes: parse() reads only MSH; the body is
 * decoded on first use of `text`, split into segments on first use of get/getAll/segments, and each
 * segment splits its fields on first access. Nothing is ever re-serialised: the stored raw bytes stay
 * the message of record.
 */
import { decodeBytes, type TextCharset } from './charset.ts';
import { type HeaderRead, type MessageHeader, readHeader } from './header.ts';
import { compileMessagePath } from './path.ts';
import { type Segment, SegmentView } from './segment.ts';

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

  private constructor(raw: Buffer | string, read: HeaderRead) {
    this.raw = raw;
    this.header = read.header;
    this.start = read.start;
    this.charset = read.charset;
  }

  /** Reads MSH only; throws Hl7ParseError when MSH is unusable. Everything else is read on demand. */
  static parse(raw: Buffer | string): Hl7Message {
    return new Hl7Message(raw, readHeader(raw));
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
    if (this.list === undefined) this.list = splitSegments(this.text, this.header);
    return this.list;
  }

  /** Segments in message order; only those named `name` when it is given. */
  segments(name?: string): Segment[] {
    const all = this.all();
    if (name === undefined) return all.slice();
    const wanted = name.toUpperCase();
    return all.filter((s) => s.name === wanted);
  }

  /**
   * The unescaped value at a path such as 'PID-3.1' or 'OBX[2]-5' (first segment and first
   * repetition unless the path names others); undefined when the message has no such element.
   * Throws TypeError for a malformed path.
   */
  get(path: string): string | undefined {
    const compiled = compileMessagePath(path);
    const occurrence = compiled.occurrence ?? 1;
    let seen = 0;
    for (const segment of this.all()) {
      if (segment.name === compiled.segment && ++seen === occurrence) return segment.valueAt(compiled);
    }
    return undefined;
  }

  /**
   * Every non-empty value at a path, over every matching segment and every repetition (only the
   * segment occurrence or repetition the path names, when it names one). getAll('OBX-8') gives the
   * abnormal flags of all observations.
   */
  getAll(path: string): string[] {
    const compiled = compileMessagePath(path);
    const values: string[] = [];
    let seen = 0;
    for (const segment of this.all()) {
      if (segment.name !== compiled.segment) continue;
      seen++;
      if (compiled.occurrence !== undefined && seen !== compiled.occurrence) continue;
      segment.collect(compiled, values);
    }
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

/** Splits on CR, LF or CRLF (mixed within one message too), skipping blank lines. */
function splitSegments(text: string, header: MessageHeader): SegmentView[] {
  const d = header.delimiters;
  const segments: SegmentView[] = [];
  const counts = new Map<string, number>();
  let from = 0;
  while (from < text.length) {
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
        segments.push(new SegmentView(line, name, index, d));
      }
    }
    from = end + 1;
  }
  return segments;
}
