/**
 * Amion, ShiftAdmin and a CSV drop, each on its real client against a local server or folder, through the
 * sync runner and engine into a SQLite store: the shifts on call at the fall-back handoffs, the change
 * feed, two sources feeding one assignment, rows for unknown staff reported instead of guessed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OnCallResolver } from '../../src/schedules/on-call.ts';
import type { SourceSettings } from '../../src/schedules/source-config.ts';
import { findSourceKind } from '../../src/schedules/sources/kinds.ts';
import type { ScheduleSourceClient } from '../../src/schedules/sources/source.ts';
import { ScheduleSyncEngine, type SyncLog } from '../../src/schedules/sync-engine.ts';
import { ScheduleSyncRunner } from '../../src/schedules/sync-runner.ts';
import type { Store } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { type FakeAmion, startFakeAmion } from '../support/scheduling/fake-amion.ts';
import { type FakeShiftAdmin, startFakeShiftAdmin } from '../support/scheduling/fake-shiftadmin.ts';

const fixtures = new URL('../fixtures/schedules/', import.meta.url).pathname;
const zone = 'America/New_York';
/** Saturday noon before the fall-back night; the window runs three days forward. */
const now = new Date('2026-10-31T16:00:00Z');

const crosswalk: Record<string, Record<string, string[]>> = {
  uniqueId: {
    'EPICID:R1001': ['p-lee'],
    'EPICID:R1002': ['p-park'],
    'EPICID:R1003': ['p-chen'],
    'EPICID:R1004': ['p-doe'],
    'EPICID:R1005': ['p-evans'],
    'EPICID:R1006': ['p-fox'],
  },
  employeeId: {
    E501: ['p-grant'],
    E502: ['p-hughes'],
    E503: ['p-irving'],
    E504: ['p-jones'],
    E505: ['p-kato'],
  },
  id: Object.fromEntries(['dr-lee', 'dr-park', 'dr-kim', 'dr-doe', 'dr-evans'].map((p) => [p, [p]])),
};
const findPeople = (kind: string, value: string) => crosswalk[kind]?.[value] ?? [];

const log: SyncLog = { info() {}, warn() {}, error() {} };

function source(id: string, kind: string, over: Partial<SourceSettings>): SourceSettings {
  return {
    id,
    kind,
    enabled: true,
    everyMinutes: 15,
    daysBack: 0,
    daysForward: 3,
    staleAfterMinutes: 60,
    massDeleteShare: 0.3,
    people: [],
    assignments: [],
    notifyAffected: false,
    unmappedDigestMinutes: 1440,
    options: {},
    ...over,
  };
}

function build(store: Store, settings: SourceSettings[], raw: Record<string, Record<string, unknown>>) {
  const clients = new Map<string, ScheduleSourceClient>();
  for (const s of settings) {
    const kind = findSourceKind(s.kind)!;
    const problems: string[] = [];
    const options = kind.readOptions(raw[s.id], (k, m) => problems.push(`${k}: ${m}`));
    expect(problems).toEqual([]);
    s.options = options;
    clients.set(s.id, kind.create(options, { zone, configDir: '/nonexistent', sourceId: s.id }));
  }
  const engine = new ScheduleSyncEngine(
    { schedules: store.schedules, sourceStore: store.scheduleSources, findPeople, now: () => now, log },
    settings,
  );
  return new ScheduleSyncRunner(engine, clients, { now: () => now, log });
}

const onCallAt = async (store: Store, assignment: string, iso: string) =>
  (await new OnCallResolver(store.schedules).onCall(assignment, new Date(iso))).map(
    (e) => `${e.personId}/${e.callOrder}`,
  );

describe('scheduling systems through the sync engine into the store', () => {
  let dir: string;
  let store: Store;
  let amion: FakeAmion;
  let shiftadmin: FakeShiftAdmin;
  let runner: ScheduleSyncRunner;
  let drops: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-sources-e2e-'));
    drops = join(dir, 'drops');
    mkdirSync(drops);
    store = openSqliteStore(join(dir, 'data'));
    amion = await startFakeAmion({ password: 'pw', schedule: `${fixtures}amion-619-dst.tsv` });
    shiftadmin = await startFakeShiftAdmin({ apiKey: 'key', entries: `${fixtures}shiftadmin-shifts.json` });
    runner = build(
      store,
      [
        source('amion', 'amion', {
          people: [{ field: 'uniqueId', match: 'uniqueId' }],
          assignments: [
            { task: { uniqueId: 'HOSP-N' }, assignment: 'hospitalist-oncall', callOrder: 1 },
            { task: { uniqueId: 'HOSP-D' }, assignment: 'hospitalist-oncall', callOrder: 1 },
            { task: { uniqueId: 'ICU-A' }, assignment: 'icu-intensivist', callOrder: 1 },
            { task: { uniqueId: 'RRT' }, assignment: 'rapid-response', callOrder: 1 },
            { task: { uniqueId: 'CARD' }, assignment: 'cardiology-consult', callOrder: 1 },
            { task: { uniqueId: 'NEO' }, assignment: 'neonatology', callOrder: 1 },
          ],
        }),
        source('shiftadmin', 'shiftadmin', {
          people: [{ field: 'employeeID', match: 'employeeId' }],
          // The ED's nights back up the hospitalist: a second source feeding the same assignment.
          assignments: [
            { task: { shiftShortName: 'EM Night' }, assignment: 'hospitalist-oncall', callOrder: 2 },
            { task: { shiftShortName: 'EM Day' }, assignment: 'ed-attending', callOrder: 1 },
            { task: { shiftShortName: 'EM 24' }, assignment: 'ed-attending', callOrder: 2 },
            { task: { shiftShortName: 'Trauma Backup' }, assignment: 'trauma-backup', callOrder: 1 },
            { task: { shiftShortName: 'EM Swing' }, assignment: 'ed-swing', callOrder: 1 },
          ],
        }),
        source('drop', 'csv-drop', {
          people: [{ field: 'person', match: 'id' }],
          assignments: [
            {
              task: { assignment: 'hospitalist-oncall', call_order: '1' },
              assignment: 'ward-hospitalist',
              callOrder: 1,
            },
            {
              task: { assignment: 'hospitalist-oncall', call_order: '2' },
              assignment: 'ward-hospitalist',
              callOrder: 2,
            },
            { task: { assignment: 'rapid-response' }, assignment: 'ward-rrt', callOrder: 1 },
            { task: { assignment: 'cardiology-consult' }, assignment: 'ward-cardiology', callOrder: 1 },
          ],
        }),
      ],
      {
        amion: { password: 'pw', url: amion.url, staffList: false },
        shiftadmin: { apiKey: 'key', url: shiftadmin.url },
        drop: { folder: drops, settleSeconds: 0 },
      },
    );
  });
  afterEach(async () => {
    await runner.stop();
    await amion.close();
    await shiftadmin.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Amion: the fall-back handoffs at the right instants, unknown staff reported, a swap in the feed', async () => {
    const first = await runner.syncNow('amion');
    expect(first.status).toBe('applied');
    expect(first.unmapped.map((u) => [u.reason, u.rowRef, u.assignmentIds])).toEqual([
      ['nobody', expect.stringMatching(/^line \d+$/), ['hospitalist-oncall']],
    ]);
    // The night ends at 07:00 EST (12:00Z), 13 hours after it began.
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-01T11:59:00Z')).toEqual(['p-lee/1']);
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-01T12:00:00Z')).toEqual(['p-park/1']);
    expect(await onCallAt(store, 'icu-intensivist', '2026-11-01T12:59:00Z')).toEqual(['p-chen/1']);
    expect(await onCallAt(store, 'icu-intensivist', '2026-11-01T13:00:00Z')).toEqual([]);
    expect(await onCallAt(store, 'cardiology-consult', '2026-11-02T17:59:00Z')).toEqual(['p-doe/1']);
    expect(await onCallAt(store, 'cardiology-consult', '2026-11-02T18:00:00Z')).toEqual(['p-evans/1']);
    // The slot of the unknown locum is a gap, not someone's guess.
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-03T01:00:00Z')).toEqual([]);
    const added = await store.schedules.changes({ after: 0, source: 'amion' });
    expect(added.map((c) => c.kinds.join())).toEqual(Array(first.counts.shifts).fill('added'));
    expect(new Set(added.map((c) => c.actor))).toEqual(new Set(['sync:amion']));

    // Park calls in sick for the day shift; Lee stays on.
    amion.rows = amion.rows.map((r) =>
      r[4] === 'HOSP-D' && r[6] === '11-1-26' ? ['Lee, Anna', 'EPICID:R1001', ...r.slice(2)] : r,
    );
    const second = await runner.syncNow('amion');
    expect(second.status).toBe('applied');
    const after = await store.schedules.changes({ after: added.at(-1)!.seq });
    expect(after.map((c) => [c.kinds, c.before?.personId, c.after?.personId])).toEqual([
      [['person-changed'], 'p-park', 'p-lee'],
    ]);
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-01T12:00:00Z')).toEqual(['p-lee/1']);
  });

  it('ShiftAdmin: a second source on the same assignment, and a failed pull changing nothing', async () => {
    await runner.syncNow('amion');
    const outcome = await runner.syncNow('shiftadmin');
    expect(outcome.status).toBe('applied');
    expect(outcome.unmapped.map((u) => u.reason)).toEqual(['nobody']);
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-01T06:00:00Z')).toEqual([
      'p-lee/1',
      'p-grant/2',
    ]);
    expect(await onCallAt(store, 'ed-attending', '2026-11-01T12:30:00Z')).toEqual([
      'p-hughes/1',
      'p-irving/2',
    ]);
    expect(await onCallAt(store, 'trauma-backup', '2026-11-01T12:30:00Z')).toEqual(['p-hughes/1']);
    const seq = await store.schedules.lastChangeSeq();
    shiftadmin.faults.push({ kind: 'truncate' });
    const failed = await runner.syncNow('shiftadmin');
    expect(failed.status).toBe('failed');
    expect(failed.message).toMatch(/cut off/);
    expect(await store.schedules.lastChangeSeq()).toBe(seq);
    expect(await onCallAt(store, 'hospitalist-oncall', '2026-11-01T06:00:00Z')).toEqual([
      'p-lee/1',
      'p-grant/2',
    ]);
  });

  it('CSV drop: a file applied then moved aside, the next file a change in the feed, a broken file rejected', async () => {
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(drops, 'week-45.csv'));
    const first = await runner.syncNow('drop');
    expect(first.status).toBe('applied');
    expect(first.counts).toMatchObject({ rows: 6, shifts: 6, unmapped: 0, added: 6 });
    expect(readdirSync(drops).sort()).toEqual(['processed']);
    expect(await onCallAt(store, 'ward-hospitalist', '2026-11-01T11:59:00Z')).toEqual(['dr-lee/1']);
    expect(await onCallAt(store, 'ward-hospitalist', '2026-11-01T12:00:00Z')).toEqual([
      'dr-park/1',
      'dr-kim/2',
    ]);
    // A draft row is stored but nobody is paged from it.
    expect(await onCallAt(store, 'ward-cardiology', '2026-11-02T18:30:00Z')).toEqual([]);
    const seq = await store.schedules.lastChangeSeq();

    writeFileSync(
      join(drops, 'week-45-v2.csv'),
      'assignment,person,start,end,call_order\nhospitalist-oncall,dr-lee,2026-10-31 19:00,2026-11-01 07:00,1\n' +
        'hospitalist-oncall,dr-park,2026-11-01 07:00,2026-11-01 19:00,1\nhospitalist-oncall,dr-kim,2026-11-01 07:00,2026-11-01 19:00,1\n',
    );
    const second = await runner.syncNow('drop');
    expect(second.status).toBe('applied');
    const changes = await store.schedules.changes({ after: seq });
    expect(
      changes.map((c) => `${c.kinds.join()} ${c.before?.personId ?? '-'} ${c.after?.personId ?? '-'}`).sort(),
    ).toEqual([
      // Kim moves up to first call (the notes went with the old row); Park is off the rapid response.
      'call-order-changed,notes-changed dr-kim dr-kim',
      'removed dr-park -',
    ]);
    // Cardiology lies outside the new file's span and stays as the first file left it.
    expect(await onCallAt(store, 'ward-cardiology', '2026-11-02T12:30:00Z')).toEqual(['dr-doe/1']);

    const before = await store.schedules.lastChangeSeq();
    writeFileSync(
      join(drops, 'week-46.csv'),
      'assignment,person,start,end\nhospitalist-oncall,dr-lee,2026-11-0',
    );
    const broken = await runner.syncNow('drop');
    expect(broken.status).toBe('failed');
    expect(broken.message).toMatch(/week-46\.csv: rejected/);
    expect(await store.schedules.lastChangeSeq()).toBe(before);
    expect(readdirSync(join(drops, 'rejected'))).toHaveLength(2);
  });
});
