import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { loadSources } from './source-config.ts';
import type { SourceKind } from './sources/source.ts';

const fakeKind: SourceKind<{ password: string }> = {
  kind: 'fake',
  readOptions(options, report) {
    if (typeof options.password !== 'string' || options.password === '') {
      report('password', 'is required');
      return undefined;
    }
    for (const k of Object.keys(options)) if (k !== 'password') report(k, 'is not a known option');
    return { password: options.password };
  },
  create() {
    throw new Error('not in this test');
  },
};

const load = (text: string, env: NodeJS.ProcessEnv = {}) =>
  loadSources(new YamlFile('sources.yaml', text), {
    env,
    assignments: new Set(['hospitalist', 'icu']),
    idKinds: ['id', 'uniqueId', 'abbreviation'],
    findKind: (k) => (k === 'fake' ? (fakeKind as SourceKind) : undefined),
  });

describe('sources.yaml', () => {
  it('fills the defaults and substitutes secrets from the environment', () => {
    const { value, problems } = load(
      `sources:
  - id: amion
    kind: fake
    people: [{ field: Unique ID, match: uniqueId }]
    assignments:
      - { task: { Name: Hospitalist }, assignment: hospitalist }
      - { task: { Name: Hospitalist }, assignment: icu, callOrder: 2 }
    options: { password: '\${AMION_PASSWORD}' }
`,
      { AMION_PASSWORD: 's3cret' },
    );
    expect(problems).toEqual([]);
    expect(value.sources).toEqual([
      {
        id: 'amion',
        kind: 'fake',
        enabled: true,
        everyMinutes: 15,
        daysBack: 0,
        daysForward: 2,
        staleAfterMinutes: 60,
        massDeleteShare: 0.3,
        people: [{ field: 'Unique ID', match: 'uniqueId' }],
        assignments: [
          { task: { Name: 'Hospitalist' }, assignment: 'hospitalist', callOrder: 1 },
          { task: { Name: 'Hospitalist' }, assignment: 'icu', callOrder: 2 },
        ],
        notifyAffected: false,
        unmappedDigestMinutes: 1440,
        options: { password: 's3cret' },
      },
    ]);
    expect(value.kindOf('amion')?.kind).toBe('fake');
  });

  it('reports every problem with its line and key, the kind options included', () => {
    const { value, problems } = load(`sources:
  - id: Amion Main
    kind: fake
    everyMinutes: 0
    massDeleteShare: 2
    people: [{ field: Unique ID, match: ssn }]
    assignments:
      - { task: { Name: Cafeteria }, assignment: kitchen }
    options: { password: '\${MISSING}' }
  - id: other
    kind: lightning
    people: []
    assignments: []
  - { id: other, kind: fake, people: [{ field: a, match: id }], assignments: [{ task: { T: x }, assignment: icu }], options: { password: p } }
  - { id: other, kind: fake, people: [{ field: a, match: id }], assignments: [{ task: { T: x }, assignment: icu }], options: { password: p } }
`);
    expect(value.sources.map((s) => s.id)).toEqual(['other']);
    expect(problems.map((p) => `${p.line} ${p.key}: ${p.message}`)).toEqual([
      '2 sources.0.id: must be lower-case letters, digits and dashes, and not yaml or demo (those are config sources)',
      '4 sources.0.everyMinutes: must be a whole number from 1 to 1440',
      '5 sources.0.massDeleteShare: must be a share above 0 and at most 1 (0.3 holds a sync that removes over 30 %)',
      '6 sources.0.people.0.match: must be one of id, uniqueId, abbreviation',
      '8 sources.0.assignments.0.assignment: no assignment kitchen in the schedules',
      '9 sources.0.options.password: needs the environment variable MISSING, which is not set',
      '9 sources.0.options.password: is required',
      '11 sources.1.kind: is not a known kind of scheduling source: lightning',
      '12 sources.1.people: needs at least one { field, match }: how a source staff row finds a person',
      '13 sources.1.assignments: needs at least one { task, assignment }: which source task is which assignment',
      '15 sources.3.id: source other is listed twice',
    ]);
  });
});
