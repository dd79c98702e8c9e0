/**
 * One segment of a message, as a view over its line of text. Each level is split once, on first access,
 * and kept: fields when the segment is first read, a field's repetitions when one of them is first read,
 * a repetition's components likewise. Reading every repetition of a field is then linear in its size,
 * however the caller walks it. Splits stop at the message's limits (limits.ts), and each cut is noted.
 */
import type { Delimiters } from './delimiters.ts';
import { unescapeText } from './escape.ts';
import { DEFAULT_HL7_LIMITS, LimitNotes, splitAtMost } from './limits.ts';
import { compilePath, type FieldPath } from './path.ts';

/** One repetition of a field (the whole field when it does not repeat). */
export interface Repetition {
  /** Raw (escaped) text of the repetition. */
  readonly text: string;
  /**
   * Unescaped value of component `component` (and subcomponent `subcomponent`), both 1-based; the
   * whole repetition, separators in place, without a component. Undefined when absent.
   */
  value(component?: number, subcomponent?: number): string | undefined;
}

export interface Segment {
  /** Segment id as sent, e.g. 'PID' or 'ZCR'. */
  name: string;
  /** 1-based position among the segments of the same name in this message. */
  index: number;
  /** Raw (escaped) text of field n, numbered as HL7 does; undefined when the segment has no field n. */
  field(n: number): string | undefined;
  /** Unescaped value at a path relative to this segment ('5.1', '3(2).1') or a full one ('OBX-5.1'). */
  value(path: string): string | undefined;
  /**
   * The repetitions of field n, in order (none when the field is empty or absent), up to the message's
   * repetition limit. Split once and kept: walk them rather than asking value('3(i).1') for each i.
   */
  repetitions(n: number): readonly Repetition[];
}

/**
 * Segments that declare delimiters in their first two fields (MSH, and the batch headers FHS and
 * BHS): field 1 is the field separator itself and field 2 the encoding characters, so the field
 * numbers are one more than the split positions.
 */
const DECLARES_DELIMITERS = new Set(['MSH', 'FHS', 'BHS']);

const NONE: readonly Repetition[] = Object.freeze([]);

class RepetitionView implements Repetition {
  private components?: string[];
  private subcomponents?: Array<string[] | undefined>;

  constructor(
    readonly text: string,
    private readonly segment: SegmentView,
    /** Field number and 1-based repetition, to say where a limit cut this repetition. */
    private readonly fieldNumber: number,
    private readonly repetition: number,
  ) {}

  /** 'PID-3(2)'. */
  private where(): string {
    return `${this.segment.position(this.fieldNumber)}(${this.repetition})`;
  }

  value(component?: number, subcomponent?: number): string | undefined {
    const d = this.segment.delimiters;
    if (component === undefined) return unescapeText(this.text, d);
    const piece = this.component(component);
    if (piece === undefined) return undefined;
    if (subcomponent === undefined) return unescapeText(piece, d);
    const sub = this.subcomponent(component, piece, subcomponent);
    return sub === undefined ? undefined : unescapeText(sub, d);
  }

  /** Raw text of component c. */
  private component(c: number): string | undefined {
    if (this.components === undefined) {
      const notes = this.segment.notes;
      const { pieces, found } = splitAtMost(
        this.text,
        this.segment.delimiters.component,
        notes.limits.maxComponents,
      );
      if (found > pieces.length)
        notes.note({ where: this.where(), kind: 'components', found, read: pieces.length });
      this.components = pieces;
    }
    return this.components[c - 1];
  }

  private subcomponent(c: number, piece: string, s: number): string | undefined {
    this.subcomponents ??= [];
    let subs = this.subcomponents[c - 1];
    if (subs === undefined) {
      const notes = this.segment.notes;
      const { pieces, found } = splitAtMost(
        piece,
        this.segment.delimiters.subcomponent,
        notes.limits.maxComponents,
      );
      if (found > pieces.length) {
        notes.note({ where: `${this.where()}.${c}`, kind: 'subcomponents', found, read: pieces.length });
      }
      subs = pieces;
      this.subcomponents[c - 1] = subs;
    }
    return subs[s - 1];
  }
}

/** MSH-1 and MSH-2 hold delimiters themselves: read as they are, never split. */
class LiteralView implements Repetition {
  constructor(readonly text: string) {}

  value(component?: number, subcomponent?: number): string | undefined {
    return (component ?? 1) === 1 && (subcomponent ?? 1) === 1 ? this.text : undefined;
  }
}

export class SegmentView implements Segment {
  readonly name: string;
  readonly index: number;
  /** The segment's text, without its terminator. */
  readonly text: string;
  readonly delimiters: Delimiters;
  /** The message's limits, and where reading it stopped at them. */
  readonly notes: LimitNotes;
  private split?: string[];
  private repeated?: Array<readonly Repetition[] | undefined>;

  constructor(text: string, name: string, index: number, delimiters: Delimiters, notes?: LimitNotes) {
    this.text = text;
    this.name = name;
    this.index = index;
    this.delimiters = delimiters;
    this.notes = notes ?? new LimitNotes(DEFAULT_HL7_LIMITS);
  }

  /** Raw fields indexed by HL7 field number; [0] is the segment id. */
  fields(): readonly string[] {
    if (this.split === undefined) {
      const parts = this.text.split(this.delimiters.field);
      if (DECLARES_DELIMITERS.has(this.name)) parts.splice(1, 0, this.delimiters.field);
      this.split = parts;
    }
    return this.split;
  }

  field(n: number): string | undefined {
    if (!Number.isInteger(n) || n < 1) return undefined;
    return this.fields()[n];
  }

  repetitions(n: number): readonly Repetition[] {
    const cached = this.repeated?.[n];
    if (cached !== undefined) return cached;
    const raw = this.field(n);
    let list: readonly Repetition[];
    if (raw === undefined || raw === '') list = NONE;
    else if (this.isDelimiterField(n)) list = [new LiteralView(raw)];
    else {
      const max = this.notes.limits.maxRepetitions;
      const { pieces, found } = splitAtMost(raw, this.delimiters.repetition, max);
      if (found > pieces.length) {
        this.notes.note({ where: this.position(n), kind: 'repetitions', found, read: pieces.length });
      }
      list = pieces.map((text, i) => new RepetitionView(text, this, n, i + 1));
    }
    this.repeated ??= [];
    this.repeated[n] = list;
    return list;
  }

  value(path: string): string | undefined {
    const compiled = compilePath(path);
    if (compiled.segment !== undefined && compiled.segment !== this.name) return undefined;
    return this.valueAt(compiled);
  }

  /** The value at a compiled path: the given repetition, or the first. */
  valueAt(path: FieldPath): string | undefined {
    const raw = this.field(path.field);
    if (raw === undefined) return undefined;
    const n = path.repetition ?? 1;
    // To a path an empty field is one empty repetition: its first component reads '', not undefined.
    const repetition =
      raw === ''
        ? n === 1
          ? new RepetitionView('', this, path.field, 1)
          : undefined
        : this.repetitions(path.field)[n - 1];
    return repetition?.value(path.component, path.subcomponent);
  }

  /** Every non-empty value at a path over all repetitions (or only the one the path names). */
  collect(path: FieldPath, into: string[]): void {
    if (path.repetition !== undefined) {
      const one = this.valueAt(path);
      if (one !== undefined && one !== '') into.push(one);
      return;
    }
    for (const repetition of this.repetitions(path.field)) {
      const value = repetition.value(path.component, path.subcomponent);
      if (value !== undefined && value !== '') into.push(value);
    }
  }

  private isDelimiterField(n: number): boolean {
    return n <= 2 && DECLARES_DELIMITERS.has(this.name);
  }

  /** 'PID-3', or 'OBX[2]-5' for a later segment of the same name. */
  position(n: number): string {
    return this.index > 1 ? `${this.name}[${this.index}]-${n}` : `${this.name}-${n}`;
  }
}
