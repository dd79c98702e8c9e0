/**
 * One segment of a message, as a view over its line of text: fields are split on first access, and
 * components only for the repetition that a path asks for.
 */
import type { Delimiters } from './delimiters.ts';
import { unescapeText } from './escape.ts';
import { compilePath, type FieldPath } from './path.ts';

export interface Segment {
  /** Segment id as sent, e.g. 'PID' or 'ZCR'. */
  name: string;
  /** 1-based position among the segments of the same name in this message. */
  index: number;
  /** Raw (escaped) text of field n, numbered as HL7 does; undefined when the segment has no field n. */
  field(n: number): string | undefined;
  /** Unescaped value at a path relative to this segment ('5.1', '3(2).1') or a full one ('OBX-5.1'). */
  value(path: string): string | undefined;
}

/**
 * Segments that declare delimiters in their first two fields (MSH, and the batch headers FHS and
 * BHS): field 1 is the field separator itself and field 2 the encoding characters, so the field
 * numbers are one more than the split positions.
 */
const DECLARES_DELIMITERS = new Set(['MSH', 'FHS', 'BHS']);

export class SegmentView implements Segment {
  readonly name: string;
  readonly index: number;
  /** The segment's text, without its terminator. */
  readonly text: string;
  private readonly delimiters: Delimiters;
  private split?: string[];

  constructor(text: string, name: string, index: number, delimiters: Delimiters) {
    this.text = text;
    this.name = name;
    this.index = index;
    this.delimiters = delimiters;
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

  value(path: string): string | undefined {
    const compiled = compilePath(path);
    if (compiled.segment !== undefined && compiled.segment !== this.name) return undefined;
    return this.valueAt(compiled);
  }

  /** The value at a compiled path: the given repetition, or the first. */
  valueAt(path: FieldPath): string | undefined {
    const raw = this.field(path.field);
    if (raw === undefined) return undefined;
    if (this.isDelimiterField(path.field)) return this.literal(raw, path);
    const n = path.repetition ?? 1;
    const repetition =
      n === 1 ? firstPiece(raw, this.delimiters.repetition) : raw.split(this.delimiters.repetition)[n - 1];
    if (repetition === undefined) return undefined;
    return this.within(repetition, path);
  }

  /** Every non-empty value at a path over all repetitions (or only the one the path names). */
  collect(path: FieldPath, into: string[]): void {
    if (path.repetition !== undefined) {
      const one = this.valueAt(path);
      if (one !== undefined && one !== '') into.push(one);
      return;
    }
    const raw = this.field(path.field);
    if (raw === undefined || raw === '') return;
    if (this.isDelimiterField(path.field)) {
      const literal = this.literal(raw, path);
      if (literal !== undefined && literal !== '') into.push(literal);
      return;
    }
    for (const repetition of raw.split(this.delimiters.repetition)) {
      const value = this.within(repetition, path);
      if (value !== undefined && value !== '') into.push(value);
    }
  }

  /** MSH-1 and MSH-2 hold delimiters themselves: they are returned as they are, never split. */
  private isDelimiterField(n: number): boolean {
    return n <= 2 && DECLARES_DELIMITERS.has(this.name);
  }

  private literal(raw: string, path: FieldPath): string | undefined {
    if ((path.repetition ?? 1) !== 1 || (path.component ?? 1) !== 1 || (path.subcomponent ?? 1) !== 1) {
      return undefined;
    }
    return raw;
  }

  /**
   * Component/subcomponent of one repetition, unescaped. Without a component number the whole
   * repetition is returned with its component separators in place; escape sequences are decoded, so
   * to read a component that may hold an escaped delimiter, address the component.
   */
  private within(repetition: string, path: FieldPath): string | undefined {
    const d = this.delimiters;
    if (path.component === undefined) return unescapeText(repetition, d);
    const component =
      path.component === 1
        ? firstPiece(repetition, d.component)
        : repetition.split(d.component)[path.component - 1];
    if (component === undefined) return undefined;
    if (path.subcomponent === undefined) return unescapeText(component, d);
    const sub =
      path.subcomponent === 1
        ? firstPiece(component, d.subcomponent)
        : component.split(d.subcomponent)[path.subcomponent - 1];
    return sub === undefined ? undefined : unescapeText(sub, d);
  }
}

/** Text up to the first separator (the whole text when there is none), without splitting it all. */
function firstPiece(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at === -1 ? text : text.slice(0, at);
}
