/**
 * HL7 paths as rules use them. A path that names no segment occurrence ('OBX-8', not 'OBX[2]-8') can be
 * read segment by segment, so that the conditions of a rule on one segment must hold in the same
 * segment (the same observation), and the rule's texts then quote that segment.
 */
import { compileMessagePath, type FieldPath } from '../../protocols/hl7/path.ts';
import type { RoutableMessage } from './types.ts';

type SegmentLike = ReturnType<RoutableMessage['segments']>[number];

export class RulePath {
  readonly text: string;
  readonly segment: string;
  /** True when the path names a segment occurrence; it is then read from the message as a whole. */
  readonly pinned: boolean;
  private readonly compiled: FieldPath & { segment: string };

  private constructor(text: string, compiled: FieldPath & { segment: string }) {
    this.text = text;
    this.compiled = compiled;
    this.segment = compiled.segment;
    this.pinned = compiled.occurrence !== undefined;
  }

  /** Compiles a path such as 'OBX-8' or 'PID-3(2).1'; returns the codec's complaint when it is malformed. */
  static compile(text: string): RulePath | string {
    try {
      return new RulePath(text.trim(), compileMessagePath(text.trim()));
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Every non-empty value in the whole message (any segment, any repetition unless the path names one). */
  allValues(message: RoutableMessage): string[] {
    return message.getAll(this.text);
  }

  /** The first value in the message, or in `within` (a segment of this path's kind) when given. */
  firstValue(message: RoutableMessage, within?: SegmentLike): string {
    if (within !== undefined && !this.pinned) return within.value(this.text) ?? '';
    return message.get(this.text) ?? '';
  }

  /**
   * Every non-empty value in one segment: every repetition (up to the message's repetition limit)
   * unless the path names one.
   */
  valuesIn(segment: SegmentLike): string[] {
    if (this.compiled.repetition !== undefined) {
      const one = segment.value(this.text);
      return one ? [one] : [];
    }
    const { field, component, subcomponent } = this.compiled;
    const values: string[] = [];
    for (const repetition of segment.repetitions(field)) {
      const value = repetition.value(component, subcomponent);
      if (value) values.push(value);
    }
    return values;
  }
}

/** True for text that is meant as an HL7 message path (used to find paths inside CEL string literals). */
export function looksLikePath(text: string): boolean {
  return /^[A-Z0-9]{3}(\[\d+\])?-\d/.test(text);
}
