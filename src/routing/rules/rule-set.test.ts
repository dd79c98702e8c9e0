import { describe, expect, it } from 'vitest';
import { YamlFile } from '../../kit/yaml-files.ts';
import {
  criticalPotassium,
  edArrival,
  hl7,
  msh,
  ON_4W,
  PATIENT,
  statOrder,
  TEST_PATIENT,
} from './fixtures.ts';
import { loadRules } from './load.ts';
import type { RuleSet } from './rule-set.ts';
import type { Rule } from './types.ts';

const POLICIES = `escalationPolicies:
  - id: critical-result
    steps:
      - { delayMinutes: 0, targets: [ { recipients: rule } ] }
      - { delayMinutes: 2, targets: [ { onCall: hospitalist, order: 2 } ] }
    repeat: 1
    failsafe: { group: operators }
`;

function rules(yaml: string, options = {}): RuleSet {
  const { value, problems } = loadRules(
    [new YamlFile('rules/t.yaml', yaml), new YamlFile('rules/z.yaml', POLICIES)],
    options,
  );
  if (!value) throw new Error(JSON.stringify(problems, null, 1));
  return value;
}

/** One rule that matches on `match` and tells the operators. */
function matches(match: string, message = criticalPotassium(), listener = 'mllp', at?: number): boolean {
  const set = rules(`rules:\n  - id: r\n    match: ${match}\n    recipients: [ { group: operators } ]\n`);
  return set.evaluate({ message, listener, at }).length === 1;
}

describe('RuleSet.evaluate', () => {
  it('matches on the listener, sending facility and application, type and trigger', () => {
    expect(matches('{}')).toBe(true);
    expect(matches('{ listener: mllp }')).toBe(true);
    expect(matches('{ listener: [wctp, sip] }')).toBe(false);
    expect(matches('{ sendingFacility: RGH }')).toBe(true);
    expect(matches('{ sendingFacility: [NGH, SGH] }')).toBe(false);
    expect(matches('{ sendingApplication: LAB }')).toBe(true);
    expect(matches('{ sendingApplication: EPIC }')).toBe(false);
    expect(matches('{ type: ORU, trigger: R01 }')).toBe(true);
    expect(matches('{ type: [ORM, ADT] }')).toBe(false);
    expect(matches('{ type: ORU, trigger: [R30, R31] }')).toBe(false);
  });

  it('matches on field values, in the segment that holds them', () => {
    expect(matches('{ fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }')).toBe(true);
    // 'H' and 'L' are merely abnormal: no critical alert.
    expect(matches('{ fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }', criticalPotassium('H'))).toBe(false);
    expect(matches('{ fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }', criticalPotassium('LL'))).toBe(true);
    expect(matches('{ fields: [ { path: PV1-3.1, equals: 4W }, { path: PID-3, exists: true } ] }')).toBe(
      true,
    );
  });

  it('matches on a CEL `when` over header facts and fields', () => {
    expect(matches(`{ when: "double(fields['OBX[2]-5']) >= 6.5 && listener == 'mllp'" }`)).toBe(true);
    expect(matches(`{ when: "double(fields['OBX[2]-5']) >= 7.0" }`)).toBe(false);
    expect(matches(`{ when: "values['OBX-3.1'].exists(c, c == '2823-3')" }`)).toBe(true);
    // fields[...] reads the OBX that the field conditions matched in, not the first OBX.
    expect(
      matches(`{ fields: [ { path: OBX-8, equals: HH } ], when: "fields['OBX-3.2'] == 'Potassium'" }`),
    ).toBe(true);
  });

  it('matches within `during` windows in the site time zone', () => {
    const nights = "{ during: { from: '19:00', to: '07:00' } }";
    expect(matches(nights, criticalPotassium(), 'mllp', Date.parse('2025-03-11T03:00:00Z'))).toBe(true); // 23:00 EDT
    expect(matches(nights, criticalPotassium(), 'mllp', Date.parse('2025-03-11T15:00:00Z'))).toBe(false); // 11:00 EDT
  });

  it('gives everything the routing core needs: recipients, priority, policy, texts, dedup key', () => {
    const set = rules(`rules:
  - id: critical-lab-result
    description: Critical lab values page the on-call hospitalist
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }
    recipients:
      - { onCall: hospitalist, order: first }
      - { careTeam: attending }
      - { coverage: nurse, scope: bed }
    priority: urgent
    escalation: critical-result
    dedupKey: "{{PID-3.1}}-{{OBX-3.1}}"
    dedupWindowMinutes: 15
    title: "Critical {{OBX-3.2}}: {{OBX-5}} {{OBX-6}}"
    body: "{{PID-5.2}} {{PID-5.1}} ({{PID-3.1}}), {{PV1-3.1}} {{PV1-3.2}}-{{PV1-3.3}}"
`);
    const [m] = set.evaluate({ message: criticalPotassium(), listener: 'mllp' });
    expect(m.filtered).toBe(false);
    expect(m.rule.id).toBe('critical-lab-result');
    expect(m.priority).toBe('urgent');
    expect(m.recipients.map((r) => r.kind)).toEqual(['onCall', 'careTeam', 'coverage']);
    expect(m.recipients[0]).toMatchObject({
      assignment: 'hospitalist',
      order: 'first',
      at: { file: 'rules/t.yaml', line: 6 },
    });
    expect(m.escalationPolicy?.id).toBe('critical-result');
    expect(m.escalationPolicy?.repeat).toBe(1);
    // The title quotes the critical observation (the second OBX), not the first one.
    expect(m.title).toBe('Critical Potassium: 6.9 mmol/L');
    expect(m.body).toBe('ANA RIVERA (MRN40021), 4W 401-A');
    expect(m.dedupKey).toBe('critical-lab-result:MRN40021-2823-3');
    expect(m.dedupWindowMinutes).toBe(15);
    expect(m.batchMinutes).toBeUndefined();
    expect(m.reasons).toEqual(['type is ORU', 'OBX[2]-8 is "HH" (OBX-8 in HH, LL, AA)']);
    expect(m.rule.conditions).toEqual(['type ORU', 'OBX-8 in HH, LL, AA']);
  });

  it('leaves the dedup key out when a value it names is missing, rather than merge patients', () => {
    const set = rules(`rules:
  - id: r
    match: {}
    recipients: [ { group: operators } ]
    dedupKey: "{{PID-3.1}}-{{ZPF-1}}"
`);
    const [m] = set.evaluate({ message: criticalPotassium(), listener: 'mllp' });
    expect(m.dedupKey).toBeUndefined();
    expect(m.reasons.at(-1)).toContain('no dedup');
  });

  it('defaults the title and priority', () => {
    const set = rules('rules:\n  - id: r\n    match: {}\n    recipients: [ { group: operators } ]\n');
    const [m] = set.evaluate({ message: statOrder(), listener: 'mllp' });
    expect(m.title).toBe('ORM^O01 from EPICORD at RGH');
    expect(m.priority).toBe('normal');
    expect(m.escalationPolicy).toBeUndefined();
  });

  it('batches: minutes and a digest key per rule', () => {
    const set = rules(`rules:
  - id: ed-arrivals
    match: { type: ADT, trigger: A04 }
    recipients: [ { careTeam: primary-care } ]
    batch: { minutes: 10, key: "{{PV1-3.1}}" }
  - id: all-adt
    match: { type: ADT }
    recipients: [ { group: operators } ]
    batch: { minutes: 5 }
`);
    const [a, b] = set.evaluate({ message: edArrival(), listener: 'mllp' });
    expect([a.batchMinutes, a.batchKey]).toEqual([10, 'ed-arrivals:ED']);
    expect([b.batchMinutes, b.batchKey]).toEqual([5, 'all-adt']);
  });

  it('returns every matching rule in order, until one says stop', () => {
    const yaml = (stop: boolean) => `rules:
  - id: first
    match: { type: ORU }
    recipients: [ { group: operators } ]
    stop: ${stop}
  - id: second
    match: {}
    recipients: [ { group: operators } ]
  - id: never
    match: { type: ADT }
    recipients: [ { group: operators } ]
`;
    const ids = (set: RuleSet) =>
      set.evaluate({ message: criticalPotassium(), listener: 'mllp' }).map((m) => m.rule.id);
    expect(ids(rules(yaml(false)))).toEqual(['first', 'second']);
    expect(ids(rules(yaml(true)))).toEqual(['first']);
  });

  it('returns [] when no rule matches', () => {
    const set = rules(
      'rules:\n  - id: r\n    match: { type: ADT }\n    recipients: [ { group: operators } ]\n',
    );
    expect(set.evaluate({ message: criticalPotassium(), listener: 'mllp' })).toEqual([]);
  });

  it('lets a filter rule drop the message, wherever it stands', () => {
    const set = rules(`rules:
  - id: critical
    match: { fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }
    recipients: [ { group: operators } ]
  - id: drop-test-patients
    match: { fields: [ { path: PID-5.1, equals: ZZTEST } ] }
    filter: true
`);
    const testPatient = hl7(msh('ORU^R01'), TEST_PATIENT, ON_4W, 'OBX|1|NM|2823-3^Potassium||7.1|mmol/L||HH');
    const dropped = set.evaluate({ message: testPatient, listener: 'mllp' });
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ filtered: true, recipients: [], rule: { id: 'drop-test-patients' } });
    expect(set.evaluate({ message: criticalPotassium(), listener: 'mllp' }).map((m) => m.rule.id)).toEqual([
      'critical',
    ]);
  });

  it('treats a `when` that fails while running as no match, and says so', () => {
    const errors: Array<[Rule, string]> = [];
    const set = rules(
      `rules:\n  - id: r\n    match: { when: "int(fields['PV1-3.1']) > 2" }\n    recipients: [ { group: operators } ]\n`,
      { onRuleError: (rule: Rule, error: string) => errors.push([rule, error]) },
    );
    expect(set.evaluate({ message: criticalPotassium(), listener: 'mllp' })).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0][0].id).toBe('r');
    const { traces } = set.explain({ message: criticalPotassium(), listener: 'mllp' });
    expect(traces[0].error).toBeDefined();
  });
});

describe('RuleSet.explain', () => {
  it('says why each rule matched, failed, or was never reached', () => {
    const set = rules(`rules:
  - id: stat
    match: { type: ORM, fields: [ { path: ORC-7.6, in: [S, STAT] } ] }
    recipients: [ { group: operators } ]
    stop: true
  - id: lab
    match: { type: ORU }
    recipients: [ { group: operators } ]
  - id: after-stop
    match: {}
    recipients: [ { group: operators } ]
`);
    const { matches, traces } = set.explain({ message: statOrder(), listener: 'mllp' });
    expect(matches.map((m) => m.rule.id)).toEqual(['stat']);
    expect(traces).toEqual([
      expect.objectContaining({
        ruleId: 'stat',
        matched: true,
        reasons: ['type is ORM', 'ORC-7.6 is "S" (ORC-7.6 in S, STAT)'],
      }),
      expect.objectContaining({ ruleId: 'lab', matched: false, skipped: true }),
      expect.objectContaining({ ruleId: 'after-stop', matched: false, skipped: true }),
    ]);
    const routine = set.explain({ message: statOrder('R'), listener: 'mllp' });
    expect(routine.traces[0]).toMatchObject({
      matched: false,
      failedOn: 'ORC-7.6 in S, STAT did not hold (values: R)',
    });
    expect(routine.traces[1]).toMatchObject({ matched: false, failedOn: 'type is "ORM", not "ORU"' });
    expect(routine.traces[2]).toMatchObject({ matched: true });
  });

  it('evaluates quickly enough to run for every message (no timing asserted: just many messages)', () => {
    const set = rules(`rules:
  - id: r
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL] } ], when: "fields['PID-3.1'] != ''" }
    recipients: [ { group: operators } ]
    title: "{{OBX-3.2}} {{OBX-5}}"
`);
    const message = hl7(msh('ORU^R01'), PATIENT, 'OBX|1|NM|2823-3^Potassium||6.9|mmol/L||HH');
    let matched = 0;
    for (let i = 0; i < 2000; i++) matched += set.evaluate({ message, listener: 'mllp' }).length;
    expect(matched).toBe(2000);
  });
});
