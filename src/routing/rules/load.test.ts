import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../../kit/config-errors.ts';
import { YamlFile } from '../../kit/yaml-files.ts';
import { loadRules } from './load.ts';

const POLICY = `escalationPolicies:
  - id: critical-result
    steps:
      - { delayMinutes: 0, targets: [ { recipients: rule } ] }
      - { delayMinutes: 2, targets: [ { onCall: hospitalist, order: 2 } ] }
    failsafe: { group: operators }
`;

function load(files: Record<string, string>, options = {}) {
  return loadRules(
    Object.entries(files).map(([name, text]) => new YamlFile(`rules/${name}`, text)),
    options,
  );
}

function problems(files: Record<string, string>, options = {}): ConfigProblem[] {
  const result = load(files, options);
  expect(result.value).toBeUndefined();
  return result.problems;
}

/** Line 1-based of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('loadRules', () => {
  it('loads good rules and policies from several files', () => {
    const { value, problems } = load({
      'lab.yaml': `rules:
  - id: critical-lab-result
    match: { type: ORU, fields: [ { path: OBX-8, in: [HH, LL, AA] } ] }
    recipients: [ { onCall: hospitalist } ]
    priority: urgent
    escalation: critical-result
`,
      'policies.yaml': POLICY,
      'empty.yaml': '# nothing yet\n',
    });
    expect(problems).toEqual([]);
    expect(value!.rules.map((r) => r.id)).toEqual(['critical-lab-result']);
    const policy = value!.policy('critical-result')!;
    expect(policy.steps.map((s) => s.atMinute)).toEqual([0, 2]);
    expect(policy.roundMinutes).toBe(7);
    expect(policy.failsafe).toEqual([expect.objectContaining({ kind: 'group', id: 'operators' })]);
    expect(Object.isFrozen(value!.rules[0])).toBe(true);
    expect(value!.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reports unknown keys at every level, located', () => {
    const text = `rules:
  - id: r1
    colour: red
    match:
      type: ORU
      sender: LAB
    recipients: [ { group: operators, when: now } ]
routes: []
`;
    expect(problems({ 'a.yaml': text })).toEqual([
      expect.objectContaining({ file: 'rules/a.yaml', line: 8, key: 'routes' }),
      expect.objectContaining({ file: 'rules/a.yaml', line: 3, key: 'rules.0.colour' }),
      expect.objectContaining({ file: 'rules/a.yaml', line: 6, key: 'rules.0.match.sender' }),
      expect.objectContaining({ file: 'rules/a.yaml', line: 7, key: 'rules.0.recipients.0.when' }),
    ]);
  });

  it('reports bad HL7 paths, invalid regexes and templates with bad paths', () => {
    const text = `rules:
  - id: r1
    match:
      fields:
        - path: OBX8
          equals: HH
        - path: OBR-4.1
          matches: '^(2823-3'
    recipients: [ { group: operators } ]
    title: "Critical {{OBX-3.2}} {{OBX_5}}"
    dedupKey: "{{PID-3.1}}-{{PID-0}}"
`;
    const found = problems({ 'a.yaml': text });
    expect(found).toEqual([
      expect.objectContaining({ line: lineOf(text, 'OBX8'), key: 'rules.0.match.fields.0.path' }),
      expect.objectContaining({ line: lineOf(text, 'matches'), key: 'rules.0.match.fields.1.matches' }),
      expect.objectContaining({ line: lineOf(text, 'title'), key: 'rules.0.title' }),
      expect.objectContaining({ line: lineOf(text, 'dedupKey'), key: 'rules.0.dedupKey' }),
    ]);
    expect(found[2].message).toContain('{{OBX_5}}');
  });

  it('compiles CEL at load and reports what does not compile', () => {
    const text = `rules:
  - id: r1
    match:
      when: "fields['OBX-5'] != '' &&"
    recipients: [ { group: operators } ]
  - id: r2
    match: { when: "fields['OBX-5'] > 5" }
    recipients: [ { group: operators } ]
`;
    expect(problems({ 'a.yaml': text })).toEqual([
      expect.objectContaining({
        line: 4,
        key: 'rules.0.match.when',
        message: expect.stringContaining('does not compile'),
      }),
      expect.objectContaining({
        line: 7,
        key: 'rules.1.match.when',
        message: expect.stringContaining('type-check'),
      }),
    ]);
  });

  it('reports unknown escalation policies, duplicate rule ids across files, bad priorities', () => {
    const a = `rules:
  - id: stat-order
    match: { type: ORM }
    recipients: [ { group: operators } ]
    escalation: stat-ordr
    priority: critical
`;
    const b = `rules:
  - id: stat-order
    match: {}
    recipients: [ { group: operators } ]
`;
    expect(problems({ 'a.yaml': a, 'b.yaml': b, 'p.yaml': POLICY })).toEqual([
      expect.objectContaining({
        file: 'rules/a.yaml',
        line: 6,
        key: 'rules.0.priority',
        message: 'must be one of urgent, high, normal, low',
      }),
      expect.objectContaining({
        file: 'rules/a.yaml',
        line: 5,
        key: 'rules.0.escalation',
        message: expect.stringContaining('"stat-ordr", which does not exist (known: critical-result)'),
      }),
      expect.objectContaining({
        file: 'rules/b.yaml',
        line: 2,
        key: 'rules.0.id',
        message: 'rule "stat-order" is already defined at rules/a.yaml:2',
      }),
    ]);
  });

  it('checks escalation policies: steps, delays, repeat, failsafe, duplicates', () => {
    const text = `escalationPolicies:
  - id: p1
    steps: []
    repeat: -1
  - id: p2
    steps:
      - { delayMinutes: -2, targets: [ { onCall: hospitalist, order: zero } ] }
      - { targets: [] }
    waitAfterLastStepMinutes: 0
    failsafe: { group: operators }
  - id: p1
    steps: [ { targets: [ { person: p-ahmed } ] } ]
    failsafe: [ { pager: '5551234' } ]
`;
    const found = problems({ 'p.yaml': text });
    expect(found.map((p) => [p.line, p.key])).toEqual([
      [3, 'escalationPolicies.0.steps'],
      [4, 'escalationPolicies.0.repeat'],
      [2, 'escalationPolicies.0.failsafe'],
      [7, 'escalationPolicies.1.steps.0.delayMinutes'],
      [7, 'escalationPolicies.1.steps.0.targets.0.order'],
      [8, 'escalationPolicies.1.steps.1.targets'],
      [9, 'escalationPolicies.1.waitAfterLastStepMinutes'],
      [11, 'escalationPolicies.2.id'],
    ]);
    expect(found[2].message).toContain('someone must still be told');
  });

  it('takes step delays in seconds or minutes, and whenNobody per step', () => {
    const { value, problems: found } = load({
      'p.yaml': `escalationPolicies:
  - id: nurse-call
    steps:
      - { delay: 0s, targets: [ { recipients: rule } ] }
      - { delay: 20s, targets: [ { coverage: nurse } ], whenNobody: wait }
      - { delay: 2m, targets: [ { onCall: hospitalist } ] }
      - { delayMinutes: 1.5, targets: [ { onCall: hospitalist, order: 2 } ] }
    waitAfterLastStep: 90s
    failsafe: { group: operators }
`,
    });
    expect(found).toEqual([]);
    const policy = value!.policy('nurse-call')!;
    expect(policy.steps.map((s) => Math.round(s.delayMinutes * 60_000))).toEqual([
      0, 20_000, 120_000, 90_000,
    ]);
    expect(policy.steps.map((s) => s.whenNobody)).toEqual(['next', 'wait', 'next', 'next']);
    expect(policy.waitAfterLastStepMinutes).toBe(1.5);
  });

  it('refuses a delay without its unit, with both keys, or an unknown whenNobody', () => {
    const text = `escalationPolicies:
  - id: p
    steps:
      - { delay: 20, targets: [ { recipients: rule } ] }
      - { delay: 20s, delayMinutes: 1, targets: [ { recipients: rule } ] }
      - { delay: 2d, targets: [ { recipients: rule } ], whenNobody: skip }
    waitAfterLastStep: 0s
    failsafe: { group: operators }
`;
    const found = problems({ 'p.yaml': text });
    expect(found.map((p) => [p.line, p.key])).toEqual([
      [4, 'escalationPolicies.0.steps.0.delay'],
      [5, 'escalationPolicies.0.steps.1.delay'],
      [6, 'escalationPolicies.0.steps.2.delay'],
      [6, 'escalationPolicies.0.steps.2.whenNobody'],
      [7, 'escalationPolicies.0.waitAfterLastStep'],
    ]);
    expect(found[0].message).toContain('such as 20s, 2m or 1h');
    expect(found[1].message).toContain('not both');
    expect(found[3].message).toContain('next, wait');
  });

  it('rejects the failsafe-less policy and "recipients: rule" outside escalation steps', () => {
    const text = `rules:
  - id: r1
    match: {}
    recipients: [ { recipients: rule } ]
`;
    expect(problems({ 'a.yaml': text })).toEqual([
      expect.objectContaining({ key: 'rules.0.recipients.0.recipients', line: 4 }),
      expect.objectContaining({
        key: 'rules.0.recipients.0',
        message: expect.stringContaining('needs exactly one of'),
      }),
    ]);
  });

  it('keeps filter rules to filtering, and asks for recipients on the others', () => {
    const text = `rules:
  - id: drop-test-patients
    match: { fields: [ { path: PID-5.1, equals: ZZTEST } ] }
    filter: true
    recipients: [ { group: operators } ]
  - id: no-one
    match: {}
`;
    expect(problems({ 'a.yaml': text })).toEqual([
      expect.objectContaining({
        line: 5,
        key: 'rules.0.recipients',
        message: expect.stringContaining('filter rule'),
      }),
      expect.objectContaining({
        line: 6,
        key: 'rules.1.recipients',
        message: expect.stringContaining('is required'),
      }),
    ]);
  });

  it('refuses numbers where text is meant, bad ids and bad header codes', () => {
    const text = `rules:
  - id: pager rule
    match: { type: oru, trigger: [R01, 'ORU^R01'], listener: [mllp, fax] }
    recipients: [ { pager: 5551234 }, { onCall: 'two words' } ]
    dedupWindowMinutes: 10
`;
    expect(problems({ 'a.yaml': text }).map((p) => p.key)).toEqual([
      'rules.0.id',
      'rules.0.match.listener.1',
      'rules.0.match.type',
      'rules.0.match.trigger.1',
      'rules.0.recipients.0.pager',
      'rules.0.recipients.1.onCall',
      'rules.0.dedupWindowMinutes',
    ]);
  });

  it('reports YAML syntax errors and non-mapping files', () => {
    const found = problems({ 'a.yaml': 'rules:\n  - id: r1\n   match: {\n', 'b.yaml': '- just a list\n' });
    expect(found.some((p) => p.file === 'rules/a.yaml' && p.line !== undefined)).toBe(true);
    expect(found).toContainEqual(
      expect.objectContaining({ file: 'rules/b.yaml', message: 'must be a mapping of keys' }),
    );
  });

  it('asks the caller about recipient ids when it offers a check', () => {
    const text = `rules:
  - id: r1
    match: {}
    recipients: [ { onCall: hospitalist }, { group: nobody-group } ]
`;
    const known = new Set(['hospitalist']);
    const found = problems(
      { 'a.yaml': text },
      {
        checkRecipient: (spec: { kind: string; assignment?: string; id?: string }) => {
          const id = spec.assignment ?? spec.id ?? '';
          return known.has(id) ? undefined : `"${id}" is not in the directory`;
        },
      },
    );
    expect(found).toEqual([
      expect.objectContaining({
        line: 4,
        key: 'rules.0.recipients.1.group',
        message: '"nobody-group" is not in the directory',
      }),
    ]);
  });

  it('reads a real folder, naming files as folder/file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-rules-'));
    writeFileSync(
      join(dir, '10-lab.yaml'),
      'rules:\n  - id: r1\n    match: {}\n    recipients: [ { group: ops } ]\n',
    );
    writeFileSync(
      join(dir, '20-bad.yml'),
      'rules:\n  - id: r2\n    match: {}\n    recipients: [ { group: ops } ]\n    priority: asap\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not read');
    const { value, problems } = loadRules(dir);
    expect(value).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({ file: `${dir.split('/').pop()}/20-bad.yml`, line: 5 }),
    ]);
    expect(loadRules(join(dir, 'missing')).problems[0].message).toContain('does not exist');
  });

  it('refuses a time zone that is not IANA', () => {
    expect(() => load({}, { timezone: 'Eastern' })).toThrow(RangeError);
  });
});
