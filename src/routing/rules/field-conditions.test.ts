import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../../kit/config-errors.ts';
import { YamlFile } from '../../kit/yaml-files.ts';
import { FileChecker } from './checks.ts';
import { FieldCondition, FieldConditions } from './field-conditions.ts';
import { criticalPotassium, hl7, msh, PATIENT } from './fixtures.ts';

/** Parses `fields:` conditions written in YAML flow style, as an analyst would. */
function conditions(yaml: string): { set?: FieldConditions; problems: ConfigProblem[] } {
  const file = new YamlFile('rules/t.yaml', `fields: ${yaml}\n`);
  const problems: ConfigProblem[] = [];
  const check = new FileChecker(file, problems);
  const list = (file.value as { fields: unknown[] }).fields;
  const parsed = list.map((c, i) => FieldCondition.parse(c, ['fields', i], check));
  if (problems.length) return { problems };
  return { set: new FieldConditions(parsed as FieldCondition[]), problems };
}

function holds(yaml: string, message = criticalPotassium()): boolean {
  const { set, problems } = conditions(yaml);
  if (!set) throw new Error(JSON.stringify(problems));
  return set.evaluate(message, false).ok;
}

describe('field conditions', () => {
  it('equals, in, matches and exists', () => {
    expect(holds('[{ path: PV1-3.1, equals: 4W }]')).toBe(true);
    expect(holds('[{ path: PV1-3.1, equals: 5E }]')).toBe(false);
    expect(holds('[{ path: OBX-8, in: [HH, LL, AA] }]')).toBe(true);
    expect(holds('[{ path: OBX-8, in: [HH, LL, AA] }]', criticalPotassium('H'))).toBe(false);
    expect(holds("[{ path: OBR-4.1, matches: '^(80048|80053)$' }]")).toBe(true);
    expect(holds("[{ path: OBR-4.1, matches: '^8005' }]")).toBe(false);
    expect(holds('[{ path: PID-3, exists: true }]')).toBe(true);
    expect(holds('[{ path: ZPF-1, exists: true }]')).toBe(false);
    expect(holds('[{ path: ZPF-1, exists: false }]')).toBe(true);
    expect(holds('[{ path: PID-3, exists: false }]')).toBe(false);
  });

  it('lets any repetition of a field satisfy a condition', () => {
    const message = hl7(msh('ADT^A08'), 'PID|1||OLD1^^^X~MRN40021^^^RGH^MR||RIVERA^ANA');
    expect(holds('[{ path: PID-3.1, equals: MRN40021 }]', message)).toBe(true);
    expect(holds('[{ path: PID-3(1).1, equals: MRN40021 }]', message)).toBe(false);
    expect(holds('[{ path: PID-3(2).1, equals: MRN40021 }]', message)).toBe(true);
  });

  it('requires conditions on one segment to hold in the same segment', () => {
    // Sodium is 'N' and potassium is 'HH': "sodium flagged HH" must not match across the two OBX.
    expect(holds('[{ path: OBX-3.1, equals: 2951-2 }, { path: OBX-8, equals: HH }]')).toBe(false);
    expect(holds('[{ path: OBX-3.1, equals: 2823-3 }, { path: OBX-8, equals: HH }]')).toBe(true);
    // A path naming the occurrence is read on its own.
    expect(holds("[{ path: 'OBX[1]-3.1', equals: 2951-2 }, { path: OBX-8, equals: HH }]")).toBe(true);
  });

  it('says why, naming the segment that matched', () => {
    const { set } = conditions('[{ path: OBX-8, in: [HH, LL] }, { path: PID-3.1, exists: true }]');
    const outcome = set!.evaluate(criticalPotassium(), true);
    expect(outcome.reasons).toEqual(['OBX[2]-8 is "HH" (OBX-8 in HH, LL)', 'PID-3.1 is present']);
    expect(outcome.segments.get('OBX')?.index).toBe(2);
    const miss = set!.evaluate(criticalPotassium('H'), true);
    expect(miss.failedOn).toBe('OBX-8 in HH, LL did not hold (values: N, H)');
    const none = set!.evaluate(hl7(msh('ADT^A01'), PATIENT), true);
    expect(none.failedOn).toContain('no OBX segment');
  });

  it('reports bad paths, bad regexes, missing or extra operators, unknown keys, located', () => {
    const { problems } = conditions(
      "[{ path: OBX-0, equals: x }, { path: OBX-8, matches: '(unclosed' }, { path: OBX-8 }, { path: OBX-8, equals: A, in: [B] }, { path: OBX-8, equal: A }, { path: OBX-8, equals: 7 }]",
    );
    expect(problems.map((p) => [p.key, p.line])).toEqual([
      ['fields.0.path', 1],
      ['fields.1.matches', 1],
      ['fields.2', 1],
      ['fields.3', 1],
      ['fields.4.equal', 1],
      ['fields.4', 1],
      ['fields.5.equals', 1],
    ]);
    expect(problems[1].message).toContain('not a valid regular expression');
    expect(problems[6].message).toContain("write it in quotes ('7')");
  });
});
