import { describe, expect, it } from 'vitest';
import { YamlFile } from '../kit/yaml-files.ts';
import { connectorKinds } from './kinds.ts';
import { loadConnectors } from './settings.ts';

const load = (text: string, env: NodeJS.ProcessEnv = {}) =>
  loadConnectors(new YamlFile('connectors.yaml', text), {
    kinds: connectorKinds,
    env,
    knownAssignment: (id) => ['hospitalist', 'cardiology'].includes(id),
  });

describe('connectors.yaml', () => {
  it('reads a connector with defaults, secrets from the environment and the assignment mapping', () => {
    const { value, problems } = load(
      `connectors:
  - id: outlook
    kind: graph
    personId: upn
    credentials: { clientId: '\${GRAPH_ID}', clientSecret: '\${GRAPH_SECRET}' }
    assignments: { hospitalist: [role-1, role-2], cardiology: team-9 }
    options: { tenant: riverside.example, showAs: free }
`,
      { GRAPH_ID: 'app', GRAPH_SECRET: 's3cret' },
    );
    expect(problems).toEqual([]);
    expect(value[0]).toMatchObject({
      id: 'outlook',
      kind: 'graph',
      enabled: true,
      personId: 'upn',
      credentials: { clientId: 'app', clientSecret: 's3cret' },
      window: { daysBack: 1, daysForward: 30 },
      cadence: { kind: 'onChange' },
      include: { notes: false, assignmentInfo: true, placeholders: false },
      retry: { maxAttempts: 12 },
      digestMinutes: 60,
      options: { tenant: 'riverside.example', showAs: 'free' },
    });
    expect([...value[0].assignments]).toEqual([
      ['hospitalist', ['role-1', 'role-2']],
      ['cardiology', ['team-9']],
    ]);
  });

  it('reads every cadence', () => {
    const { value } = load(
      `connectors:
  - { id: a, kind: webhook, credentials: { secret: '\${S}' }, cadence: onChange }
`,
      { S: 'x' },
    );
    expect(value[0].cadence).toEqual({ kind: 'onChange' });
  });

  it('reports every problem with its line and key', () => {
    const { problems } = load(`connectors:
  - id: Bad_Id
    kind: fax
  - id: hook
    kind: webhook
    credentials: { secret: plain-text-secret }
    assignments: { nosuch: x }
    cadence: whenever
    window: { daysBack: -1 }
  - id: hook
    kind: webhook
    credentials: { secret: '\${MISSING}' }
`);
    expect(problems.map((p) => `${p.line} ${p.key}`)).toEqual([
      '2 connectors.0.id',
      '3 connectors.0.kind',
      '6 connectors.1.credentials.secret',
      '8 connectors.1.cadence',
      '7 connectors.1.assignments.nosuch',
      '9 connectors.1.window.daysBack',
      '10 connectors.2.id',
      '12 connectors.2.credentials.secret',
    ]);
    expect(problems.find((p) => p.key === 'connectors.1.credentials.secret')?.message).toMatch(/environment/);
  });
});
