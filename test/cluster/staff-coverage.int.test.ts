/**
 * Staff assignments imported by one instance reach every instance: the instance on the import's duty
 * pulls the nurse call export and saves what it brought in the shared store, another instance (never on
 * that duty) builds the same coverage from it, and an instance started later, whose own pull fails,
 * starts with the last good roster.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StaffCoverage } from '../../src/census/coverage-plan.ts';
import { type CensusImportConfig, startCensusImports } from '../../src/wiring/census-imports.ts';
import type { DutyRoster } from '../../src/wiring/duty-roster.ts';
import { postgresStores, type StoreFactory } from '../store/factories.ts';

let server: Server;
let url: string;
let roster: unknown = [];
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(roster));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/assignments`;
});
afterAll(() => server.close());

const nurseCall = (at: string): CensusImportConfig => ({
  id: 'nurse-call',
  kind: 'staff-rest',
  everyMinutes: 600,
  files: '*.csv',
  settleSeconds: 0,
  url: at,
  staffId: 'employeeId',
  columns: { staff: 'staffId', beds: 'rooms' },
  dischargeAfterMissing: 2,
});

/** A roster on which this instance never holds a duty: another instance takes every import. */
const neverOnDuty = { every: () => {} } as unknown as DutyRoster;

describe('staff assignments across instances', () => {
  let stores: StoreFactory;
  const stops: Array<() => void> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await stores.cleanup();
  });

  it('reach the instance that did not import them, and survive into a later start', async () => {
    stores = postgresStores();
    const [a, b] = [await stores.open(), await stores.open()];
    const start = (store: typeof a, at: string, duties?: DutyRoster) => {
      const seen: StaffCoverage[][] = [];
      const imports = startCensusImports({
        imports: [nurseCall(at)],
        census: store.census,
        configDir: '.',
        findPeople: (_kind, value) => (value === 'E100' ? ['rn-day'] : []),
        onStaff: (entries) => seen.push(entries),
        now: () => new Date('2026-12-07T14:30:00Z'),
        log: pino({ level: 'silent' }),
        sharedLookMs: 20,
        ...(duties ? { duties } : {}),
      });
      stops.push(() => imports.stop());
      return { imports, seen, last: () => seen.at(-1)?.map((e) => `${e.person} ${e.unit} ${e.beds}`) };
    };
    const onB = start(b, url, neverOnDuty);
    roster = [{ staffId: 'E100', role: 'nurse', unit: '5E', rooms: ['510-B'], start: '07:00', end: '19:00' }];
    const onA = start(a, url);
    await onA.imports.runNow('nurse-call');
    expect(onA.last()).toEqual(['rn-day 5E 510-B']);
    while (onB.last() === undefined) await new Promise((r) => setTimeout(r, 10));
    expect(onB.last()).toEqual(['rn-day 5E 510-B']);
    expect(onB.imports.status()[0].lastSuccess).toBe('2026-12-07T14:30:00.000Z');

    // The roster changes: b follows a's next import.
    roster = [
      { staffId: 'E100', role: 'nurse', unit: 'ICU', rooms: ['ICU-3'], start: '07:00', end: '19:00' },
    ];
    await onA.imports.runNow('nurse-call');
    while (onB.last()?.[0] !== 'rn-day ICU ICU-3') await new Promise((r) => setTimeout(r, 10));

    // A third instance whose own pull fails starts with the last good roster from the store.
    const c = await stores.open();
    const onC = start(c, 'http://127.0.0.1:9/unreachable');
    await onC.imports.runNow('nurse-call');
    expect(onC.imports.status()[0].lastError).not.toBeNull();
    while (onC.last() === undefined) await new Promise((r) => setTimeout(r, 10));
    expect(onC.last()).toEqual(['rn-day ICU ICU-3']);
  });
});
