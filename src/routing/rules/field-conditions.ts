/**
 * Conditions on field values: `{ path: OBX-8, in: [HH, LL, AA] }`, `equals`, `matches` (a regular
 * expression), `exists`. Any repetition of the field may satisfy a condition. Conditions on the same
 * repeating segment must hold in the same segment: "OBX-3.1 is potassium and OBX-8 is HH" means one
 * observation, not a potassium in one OBX and a high flag on another. A path that names an occurrence
 * (OBX[2]-8) and `exists: false` are read over the whole message instead.
 */
import type { FileChecker, KeyPath } from './checks.ts';
import { RulePath } from './hl7-paths.ts';
import type { RoutableMessage } from './types.ts';

type SegmentLike = ReturnType<RoutableMessage['segments']>[number];

type Test =
  | { op: 'equals'; value: string }
  | { op: 'in'; values: ReadonlySet<string>; list: readonly string[] }
  | { op: 'matches'; regex: RegExp }
  | { op: 'exists'; expected: boolean };

const OPERATORS = ['equals', 'in', 'matches', 'exists'] as const;

export class FieldCondition {
  constructor(
    readonly path: RulePath,
    private readonly test: Test,
  ) {}

  /** Reads `{ path, <one operator> }` from YAML, reporting every problem. */
  static parse(value: unknown, at: KeyPath, check: FileChecker): FieldCondition | undefined {
    const record = check.mapping(value, at, ['path', ...OPERATORS]);
    if (!record) return undefined;
    let path: RulePath | undefined;
    if (record.path === undefined) check.report([...at, 'path'], 'is required (an HL7 path such as OBX-8)');
    else {
      const text = check.text(record.path, [...at, 'path']);
      if (text !== undefined) {
        const compiled = RulePath.compile(text);
        if (typeof compiled === 'string') check.report([...at, 'path'], compiled);
        else path = compiled;
      }
    }
    const given = OPERATORS.filter((op) => record[op] !== undefined);
    if (given.length !== 1) {
      check.report(at, `needs exactly one of ${OPERATORS.join(', ')} (found ${given.join(', ') || 'none'})`);
      return undefined;
    }
    const op = given[0];
    const where = [...at, op];
    let test: Test | undefined;
    switch (op) {
      case 'equals': {
        const v = check.text(record.equals, where);
        if (v !== undefined) test = { op, value: v };
        break;
      }
      case 'in': {
        const list = Array.isArray(record.in) ? check.textOrList(record.in, where) : undefined;
        if (!Array.isArray(record.in)) check.report(where, 'must be a list of values');
        if (list) test = { op, values: new Set(list), list };
        break;
      }
      case 'matches': {
        const source = check.text(record.matches, where);
        if (source !== undefined) {
          try {
            test = { op, regex: new RegExp(source) };
          } catch (e) {
            check.report(where, `is not a valid regular expression: ${(e as Error).message}`);
          }
        }
        break;
      }
      case 'exists': {
        const v = check.bool(record.exists, where);
        if (v !== undefined) test = { op, expected: v };
        break;
      }
    }
    return path && test ? new FieldCondition(path, test) : undefined;
  }

  /** Read over the whole message rather than segment by segment. */
  get messageWide(): boolean {
    return this.path.pinned || (this.test.op === 'exists' && !this.test.expected);
  }

  /** The first value that satisfies the condition ('' for a satisfied `exists: false`), else undefined. */
  satisfiedBy(values: readonly string[]): string | undefined {
    const t = this.test;
    if (t.op === 'exists') {
      if (t.expected) return values.length > 0 ? values[0] : undefined;
      return values.length === 0 ? '' : undefined;
    }
    for (const v of values) {
      if (t.op === 'equals' ? v === t.value : t.op === 'in' ? t.values.has(v) : t.regex.test(v)) return v;
    }
    return undefined;
  }

  /** The condition in words, e.g. `OBX-8 in HH, LL, AA`. */
  describe(): string {
    const t = this.test;
    const p = this.path.text;
    switch (t.op) {
      case 'equals':
        return `${p} equals "${t.value}"`;
      case 'in':
        return `${p} in ${t.list.join(', ')}`;
      case 'matches':
        return `${p} matches /${t.regex.source}/`;
      case 'exists':
        return t.expected ? `${p} is present` : `${p} is absent`;
    }
  }

  /** Why it held, quoting the value: `OBX[3]-8 is "HH" (OBX-8 in HH, LL, AA)`. */
  explain(where: string, value: string): string {
    if (this.test.op === 'exists') return this.test.expected ? `${where} is present` : `${where} is absent`;
    return `${where} is "${value}" (${this.describe()})`;
  }
}

export interface FieldOutcome {
  ok: boolean;
  reasons: string[];
  failedOn?: string;
  /** The segment each segment group matched in, by segment name; templates read from it. */
  segments: Map<string, SegmentLike>;
}

/** The field conditions of one rule, grouped by segment once at load. */
export class FieldConditions {
  private readonly wide: readonly FieldCondition[];
  private readonly groups: ReadonlyArray<readonly [string, readonly FieldCondition[]]>;
  readonly all: readonly FieldCondition[];

  constructor(conditions: readonly FieldCondition[]) {
    this.all = conditions;
    this.wide = conditions.filter((c) => c.messageWide);
    const groups = new Map<string, FieldCondition[]>();
    for (const c of conditions) {
      if (c.messageWide) continue;
      const list = groups.get(c.path.segment) ?? [];
      list.push(c);
      groups.set(c.path.segment, list);
    }
    this.groups = [...groups.entries()];
  }

  evaluate(message: RoutableMessage, trace: boolean): FieldOutcome {
    const reasons: string[] = [];
    const segments = new Map<string, SegmentLike>();
    for (const c of this.wide) {
      const values = c.path.allValues(message);
      const hit = c.satisfiedBy(values);
      if (hit === undefined) {
        return { ok: false, reasons, segments, failedOn: trace ? failure(c, values) : undefined };
      }
      if (trace) reasons.push(c.explain(c.path.text, hit));
    }
    for (const [name, conditions] of this.groups) {
      const candidates = message.segments(name);
      let found = false;
      for (const segment of candidates) {
        const hits: string[] = [];
        for (const c of conditions) {
          const hit = c.satisfiedBy(c.path.valuesIn(segment));
          if (hit === undefined) break;
          hits.push(hit);
        }
        if (hits.length < conditions.length) continue;
        found = true;
        segments.set(name, segment);
        if (trace) {
          const label = candidates.length > 1 ? `${name}[${segment.index}]` : name;
          conditions.forEach((c, i) => {
            reasons.push(c.explain(label + c.path.text.slice(3), hits[i]));
          });
        }
        break;
      }
      if (!found) {
        if (!trace) return { ok: false, reasons, segments };
        const failedOn =
          candidates.length === 0
            ? `the message has no ${name} segment (${conditions.map((c) => c.describe()).join('; ')})`
            : conditions.length === 1
              ? failure(conditions[0], conditions[0].path.allValues(message))
              : `no ${name} segment has all of: ${conditions.map((c) => c.describe()).join('; ')}`;
        return { ok: false, reasons, segments, failedOn };
      }
    }
    return { ok: true, reasons, segments };
  }
}

function failure(c: FieldCondition, values: readonly string[]): string {
  const seen = values.length ? `values: ${values.slice(0, 10).join(', ')}` : 'no value';
  return `${c.describe()} did not hold (${seen})`;
}
