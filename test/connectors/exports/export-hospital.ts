/**
 * A small hospital for the file export tests, in New York time, around the fall-back night of 2026
 * (Sunday 1 November: 02:00 EDT becomes 01:00 EST) and the pay-period boundary of Sunday 8 November
 * (periods of 14 days from 25 October). Runs the real kinds through their connector sender into a folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Connector, ConnectorSettings, KindContext } from '../../../src/connectors/connector.ts';
import { boundFileExportKinds } from '../../../src/connectors/exports/kinds.ts';
import { loadConnectors } from '../../../src/connectors/settings.ts';
import { Directory } from '../../../src/directory/directory.ts';
import type { Person } from '../../../src/directory/types.ts';
import { YamlFile } from '../../../src/kit/yaml-files.ts';
import type { Store } from '../../../src/store/port.ts';
import type { Assignment, Shift } from '../../../src/store/schedule-port.ts';
import { openSqliteStore } from '../../../src/store/sqlite/index.ts';

export const ZONE = 'America/New_York';

const person = (id: string, name: string, ids: Person['ids'], extra: Partial<Person> = {}): Person => ({
  id,
  name,
  placeholder: false,
  ids,
  contacts: [],
  ...extra,
});

export const directory = new Directory([
  person(
    'p-ahmed',
    'Ahmed, Sara',
    { employeeId: 'E100', uniqueId: 'U100', epicSer: '1001' },
    {
      title: 'MD',
      contacts: [
        { kind: 'pager', address: '617-555-0101' },
        { kind: 'phone', address: '617-555-0111' },
      ],
    },
  ),
  person('p-baker', 'Baker, Tom', { employeeId: 'E200', uniqueId: 'U200', epicSer: '2002' }, { title: 'MD' }),
  person('p-chen', 'Chen, Li', { employeeId: 'E300', uniqueId: 'U300' }, { title: 'NP' }),
  person(
    'ph-cards-fellow',
    'Cardiology fellow on call',
    {},
    {
      placeholder: true,
      contacts: [{ kind: 'pager', address: '617-555-0199' }],
    },
  ),
]);

export const assignments: Assignment[] = [
  { id: 'cardiology-oncall', name: 'Cardiology on call', type: 'oncall', department: 'Cardiology' },
  { id: 'hospitalist', name: 'Hospitalist', type: 'team', department: 'Medicine' },
  { id: 'anesthesia-or', name: 'Anesthesia OR', type: 'role', department: 'Anesthesia' },
];

const shift = (
  id: string,
  assignmentId: string,
  personId: string,
  start: string,
  end: string,
  callOrder = 1,
  notes = '',
  published = true,
): Shift => ({
  id,
  assignmentId,
  personId,
  start: new Date(start),
  end: new Date(end),
  callOrder,
  notes,
  published,
  source: 'test',
});

/** The schedule: the fall-back night, the day after, and a night across the pay-period boundary. */
export const firstSchedule: Shift[] = [
  // 19:00 EDT Saturday to 07:00 EST Sunday: 13 hours by the clock that ran.
  shift(
    's1',
    'cardiology-oncall',
    'p-ahmed',
    '2026-10-31T23:00:00Z',
    '2026-11-01T12:00:00Z',
    1,
    'Cath lab backup, "call 5-1234"',
  ),
  shift('s2', 'cardiology-oncall', 'p-baker', '2026-10-31T23:00:00Z', '2026-11-01T12:00:00Z', 2),
  shift('s3', 'cardiology-oncall', 'ph-cards-fellow', '2026-11-01T12:00:00Z', '2026-11-02T00:00:00Z', 1),
  shift('s4', 'hospitalist', 'p-chen', '2026-11-01T13:00:00Z', '2026-11-02T01:00:00Z'),
  shift('s5', 'anesthesia-or', 'p-baker', '2026-11-02T12:00:00Z', '2026-11-02T20:00:00Z'),
  // Starts Saturday 7 November 19:00 in the first period, ends in the second.
  shift('s6', 'anesthesia-or', 'p-ahmed', '2026-11-08T00:00:00Z', '2026-11-08T12:00:00Z'),
  shift('s7', 'hospitalist', 'p-ahmed', '2026-11-08T13:00:00Z', '2026-11-09T01:00:00Z'),
  shift(
    's8',
    'cardiology-oncall',
    'p-ahmed',
    '2026-11-03T12:00:00Z',
    '2026-11-04T00:00:00Z',
    1,
    'draft',
    false,
  ),
];

/** The same schedule a day later: s2 now Chen's, s5 deleted, s9 added, s4's notes changed. */
export const secondSchedule: Shift[] = firstSchedule
  .filter((s) => s.id !== 's5')
  .map((s) =>
    s.id === 's2' ? { ...s, personId: 'p-chen' } : s.id === 's4' ? { ...s, notes: 'covering 4 West' } : s,
  )
  .concat([shift('s9', 'hospitalist', 'p-baker', '2026-11-03T13:00:00Z', '2026-11-04T01:00:00Z')]);

export class ExportBench {
  readonly out = mkdtempSync(join(tmpdir(), 'sb-exports-out-'));
  store: Store;
  private now = new Date('2026-11-01T14:00:00Z');

  constructor(readonly dataDir = mkdtempSync(join(tmpdir(), 'sb-exports-db-'))) {
    this.store = openSqliteStore(dataDir);
  }

  async seed(shifts: readonly Shift[], at: Date): Promise<void> {
    await this.store.schedules.upsertAssignments(assignments);
    await this.store.schedules.applySync({
      source: 'test',
      scope: { kind: 'all' },
      shifts,
      actor: 'config',
      now: at,
    });
    await this.store.durable();
  }

  /** Closes the store and removes the test's folders. */
  async close(): Promise<void> {
    await this.store.close();
    rmSync(this.out, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A restart: the store closed and opened again from its files. */
  async restart(): Promise<void> {
    await this.store.close();
    this.store = openSqliteStore(this.dataDir);
  }

  settings(yaml: string, env: NodeJS.ProcessEnv = {}): ConnectorSettings {
    const loaded = loadConnectors(new YamlFile('connectors.yaml', yaml.replaceAll('OUT', this.out)), {
      kinds: new Map(boundFileExportKinds(this.deps()).map((k) => [k.kind, k])),
      env,
      knownAssignment: (id) => assignments.some((a) => a.id === id),
    });
    if (loaded.problems.length) throw new Error(JSON.stringify(loaded.problems));
    return loaded.value[0];
  }

  private deps() {
    const bench = this;
    return {
      get schedules() {
        return bench.store.schedules;
      },
      get exportState() {
        return bench.store.exportState;
      },
    };
  }

  /** The kind's connector, its sender and the planning context, as the framework builds them. */
  parts(settings: ConnectorSettings) {
    const kind = boundFileExportKinds(this.deps()).find((k) => k.kind === settings.kind)!;
    const ctx: KindContext = {
      store: this.store.connectors,
      planning: {
        directory: () => directory,
        assignment: (id) => assignments.find((a) => a.id === id),
        zone: ZONE,
        now: () => this.now,
      },
      connectors: [settings],
      fetch,
      log: pino({ level: 'silent' }),
    };
    const connector: Connector = kind.create(settings as never, ctx);
    return { connector, sender: kind.sender(ctx)!, ctx };
  }

  setNow(at: Date): void {
    this.now = at;
  }

  /** Runs one connector's file job at `at`; resolves with the sender's answer. */
  async run(settings: ConnectorSettings, at: Date): Promise<string> {
    this.now = at;
    const { connector, sender, ctx } = this.parts(settings);
    const plan = await connector.planWindow([], { from: at, to: at }, ctx.planning);
    const job = plan.jobs[0];
    return sender.send({
      id: 1,
      channel: job.channel,
      target: job.target,
      payload: job.payload,
      alertId: null,
      state: 'pending',
      attempts: 0,
      lastError: null,
      result: null,
      dueAt: at,
      createdAt: at,
      updatedAt: at,
    });
  }

  read(name: string): Buffer {
    return readFileSync(join(this.out, name));
  }
}
