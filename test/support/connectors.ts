/**
 * A small hospital for connector tests: a real SQLite store in a temporary folder, a directory, the
 * outbox worker without its poll, the connectors wired as main.ts wires them, and a clock the test moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ConnectorSettings } from '../../src/connectors/connector.ts';
import { DEFAULT_CONNECTOR_RETRY } from '../../src/connectors/settings.ts';
import { DeliveryWorker } from '../../src/delivery/outbox/worker.ts';
import type { CarrierTable } from '../../src/delivery/paging/carriers.ts';
import { Directory } from '../../src/directory/directory.ts';
import type { Person } from '../../src/directory/types.ts';
import type { MessagingService } from '../../src/routing/messaging/messaging-service.ts';
import type { Store } from '../../src/store/port.ts';
import type { Assignment, Shift } from '../../src/store/schedule-port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { type Connectors, installConnectors } from '../../src/wiring/connectors.ts';

export const H = 3_600_000;

export function person(id: string, name: string, ids: Person['ids'] = {}, placeholder = false): Person {
  return { id, name, placeholder, ids, contacts: [{ kind: 'email', address: `${id}@riverside.example` }] };
}

export const PEOPLE = [
  person('p-ahmed', 'Dr. Samira Ahmed', { upn: 'dr.ahmed@riverside.example', ccc: 'U-AHMED' }),
  person('p-brennan', 'Dr. Owen Brennan', { upn: 'dr.brennan@riverside.example', ccc: 'U-BRENNAN' }),
  person('p-castro', 'Dr. Lucia Castro', { ccc: 'U-CASTRO' }),
  person('ph-cards-fellow', 'Cardiology fellow on call', {}, true),
];

export const ASSIGNMENTS: Assignment[] = [
  { id: 'hospitalist', name: 'Hospitalist on call', type: 'oncall', department: 'Hospital Medicine' },
  { id: 'cardiology', name: 'Cardiology on call', type: 'oncall', department: 'Cardiology' },
];

export function connectorSettings<O>(
  over: Partial<ConnectorSettings<O>> & { id: string; kind: string; options: O },
): ConnectorSettings<O> {
  return {
    enabled: true,
    target: '',
    credentials: {},
    assignments: new Map(),
    personId: 'id',
    window: { daysBack: 1, daysForward: 30 },
    cadence: { kind: 'onChange' },
    include: { notes: false, assignmentInfo: true, placeholders: false },
    retry: { ...DEFAULT_CONNECTOR_RETRY, firstDelayMs: 1000 },
    digestMinutes: 60,
    ...over,
  };
}

export function shift(
  id: string,
  personId: string,
  startMs: number,
  hours = 12,
  over: Partial<Shift> = {},
): Shift {
  return {
    id,
    assignmentId: 'hospitalist',
    personId,
    start: new Date(startMs),
    end: new Date(startMs + hours * H),
    callOrder: 1,
    notes: '',
    published: true,
    source: 'amion',
    ...over,
  };
}

export interface ConnectorHospital {
  dir: string;
  store: Store;
  worker: DeliveryWorker;
  connectors: Connectors;
  clock: { now: Date };
  directory: () => Directory;
  /** Swaps in an edited directory, as a config reload does. */
  setPeople(people: Person[]): void;
  /** Replaces the source's schedule with these shifts (one sync, changes in the feed). */
  publish(shifts: Shift[]): Promise<void>;
  /** What a running Switchboard does between ticks: plan, then send every due job. */
  run(): Promise<void>;
  close(): Promise<void>;
}

export async function connectorHospital(
  settings: ConnectorSettings<unknown>[],
  options: {
    start: Date;
    dir?: string;
    fetch?: typeof fetch;
    zone?: string;
    people?: Person[];
    paging?: CarrierTable;
    /** Clinician messaging, for kinds that tell people in the app (handoff). */
    messaging?: Pick<MessagingService, 'notify'>;
  } = {
    start: new Date(),
  },
): Promise<ConnectorHospital> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sb-connectors-'));
  const store = openSqliteStore(dir);
  await store.schedules.upsertAssignments(ASSIGNMENTS);
  const clock = { now: options.start };
  const now = () => clock.now;
  const log = pino({ level: 'silent' });
  const worker = new DeliveryWorker({ outbox: store.outbox, now, log });
  let directory = new Directory(options.people ?? PEOPLE);
  const connectors = installConnectors({
    settings,
    store: store.connectors,
    outbox: store.outbox,
    feed: store.schedules,
    worker,
    directory: () => directory,
    assignments: () => ASSIGNMENTS,
    zone: options.zone ?? 'America/New_York',
    siteName: 'Riverside General',
    administrators: () => ['admin@riverside.example'],
    paging: options.paging ?? { carriers: [], numbers: [] },
    messaging: options.messaging,
    now,
    log,
    fetch: options.fetch,
    poll: false,
  });
  return {
    dir,
    store,
    worker,
    connectors,
    clock,
    directory: () => directory,
    setPeople(people) {
      directory = new Directory(people);
    },
    async publish(shifts) {
      await store.schedules.applySync({
        source: 'amion',
        scope: { kind: 'all' },
        shifts,
        actor: 'sync:amion',
        now: clock.now,
      });
      await store.durable();
    },
    async run() {
      await connectors.cycle.tick();
      await worker.runDue();
    },
    async close() {
      await connectors.stop();
      await worker.stop();
      await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
