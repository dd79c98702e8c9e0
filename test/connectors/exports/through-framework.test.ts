/**
 * File exports as a running Switchboard runs them: connectors.yaml read with the registered kinds, the
 * connectors installed as main.ts installs them (kinds bound to the store), the cycle planning a job on
 * each cadence and the outbox worker sending it; the delivery log says what was written.
 */
import { readdirSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectorKinds } from '../../../src/connectors/kinds.ts';
import { loadConnectors } from '../../../src/connectors/settings.ts';
import { DeliveryWorker } from '../../../src/delivery/outbox/worker.ts';
import { YamlFile } from '../../../src/kit/yaml-files.ts';
import { type Connectors, installConnectors } from '../../../src/wiring/connectors.ts';
import { runningConnectorKinds } from '../../../src/wiring/file-exports.ts';
import {
  assignments,
  directory,
  ExportBench,
  firstSchedule,
  secondSchedule,
  ZONE,
} from './export-hospital.ts';

let bench: ExportBench;
let connectors: Connectors;
let worker: DeliveryWorker;
const clock = { now: new Date('2026-11-01T14:00:00Z') };

beforeEach(async () => {
  bench = new ExportBench();
  await bench.seed(firstSchedule, new Date('2026-10-30T12:00:00Z'));
  const loaded = loadConnectors(
    new YamlFile(
      'connectors.yaml',
      `connectors:
  - id: backup
    kind: schedule-backup
    target: ${bench.out}
    window: { daysBack: 0, daysForward: 3 }
    cadence: every 10 minutes
  - id: ukg
    kind: kronos-wfd
    target: ${bench.out}
    personId: employeeId
    cadence: daily at 02:00
    options:
      payPeriod: { anchor: '2026-10-25', days: 14 }
      assignmentFields:
        cardiology-oncall: { comment: Schedule import }
`,
    ),
    { kinds: connectorKinds, env: {}, knownAssignment: (id) => assignments.some((a) => a.id === id) },
  );
  expect(loaded.problems).toEqual([]);
  const log = pino({ level: 'silent' });
  worker = new DeliveryWorker({ outbox: bench.store.outbox, now: () => clock.now, log });
  connectors = installConnectors({
    settings: loaded.value,
    store: bench.store.connectors,
    outbox: bench.store.outbox,
    feed: bench.store.schedules,
    worker,
    directory: () => directory,
    assignments: () => assignments,
    zone: ZONE,
    siteName: 'Riverside General',
    administrators: () => [],
    paging: { carriers: [], numbers: [] },
    now: () => clock.now,
    log,
    poll: false,
    kinds: runningConnectorKinds(bench.store),
  });
});

afterEach(async () => {
  await connectors.stop();
  await worker.stop();
  await bench.close();
});

const run = async () => {
  await connectors.cycle.tick();
  await worker.runDue();
};

describe('file exports on the connector framework', () => {
  it('writes each export on its cadence through the outbox, and logs what was written', async () => {
    await run();
    expect(readdirSync(bench.out).sort()).toEqual([
      'kronos_wfd_20261101.csv',
      'schedule_backup_20261101_0900.csv',
      'schedule_backup_20261101_0900.xlsx',
    ]);
    const [logged] = await bench.store.connectors.log('ukg', { limit: 5 });
    expect(logged.outcome).toBe('sent');
    expect(logged.answer).toMatch(/kronos_wfd_20261101\.csv: full file, 2 rows/);

    // Ten minutes on: a new backup; Dimensions waits for its next day.
    clock.now = new Date('2026-11-01T14:10:00Z');
    await bench.seed(secondSchedule, clock.now);
    await run();
    expect(readdirSync(bench.out)).toContain('schedule_backup_20261101_0910.csv');
    expect(readdirSync(bench.out).filter((f) => f.startsWith('kronos_wfd_'))).toHaveLength(1);

    clock.now = new Date('2026-11-02T07:05:00Z');
    await run();
    const [next] = await bench.store.connectors.log('ukg', { limit: 1 });
    expect(next.answer).toMatch(/kronos_wfd_20261102\.csv: delta file, 1 rows/); // s2 now Chen's
  });
});
