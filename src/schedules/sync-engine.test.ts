import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { OnCallResolver } from './on-call.ts';
import type { SourceSettings } from './source-config.ts';
import {
  type PullRequest,
  type ScheduleSourceClient,
  SourceError,
  type SourcePull,
  type SourceShift,
} from './sources/source.ts';
import { ScheduleSyncEngine, type SyncLog } from './sync-engine.ts';
import { ScheduleSyncRunner } from './sync-runner.ts';

const H = 3_600_000;
const now = new Date('2026-11-22T12:00:00Z');

/** The directory's crosswalk, as wiring hands it over: uniqueId U2 is (wrongly) on two people. */
const crosswalk: Record<string, Record<string, string[]>> = {
  uniqueId: { U1: ['p-ahmed'], U2: ['p-baker', 'p-baker-2'], U3: ['p-chen'] },
  abbreviation: { DRD: ['p-diaz'] },
};
const findPeople = (kind: string, value: string) => crosswalk[kind]?.[value] ?? [];

function settings(over: Partial<SourceSettings> = {}): SourceSettings {
  return {
    id: 'amion',
    kind: 'fake',
    enabled: true,
    everyMinutes: 15,
    daysBack: 0,
    daysForward: 2,
    staleAfterMinutes: 60,
    massDeleteShare: 0.3,
    people: [
      { field: 'Unique ID', match: 'uniqueId' },
      { field: 'Abbrev', match: 'abbreviation' },
    ],
    assignments: [
      { task: { Name: 'Hospitalist' }, assignment: 'hospitalist-oncall', callOrder: 1 },
      { task: { Name: 'Hospitalist Backup' }, assignment: 'hospitalist-oncall', callOrder: 2 },
      // One task feeds two assignments: the rapid response lead is also ICU first call.
      { task: { Name: 'RRT Lead' }, assignment: 'rapid-response', callOrder: 1 },
      { task: { Name: 'RRT Lead' }, assignment: 'icu-intensivist', callOrder: 1 },
    ],
    notifyAffected: false,
    unmappedDigestMinutes: 60,
    options: {},
    ...over,
  };
}

function row(
  task: string,
  staff: Record<string, string>,
  startH: number,
  hours: number,
  over: Partial<SourceShift> = {},
): SourceShift {
  return {
    staff,
    task: { Name: task },
    start: new Date(now.getTime() + startH * H),
    end: new Date(now.getTime() + (startH + hours) * H),
    ...over,
  };
}

const window = (shifts: SourceShift[]): SourcePull => ({
  mode: 'window',
  from: now,
  to: new Date(now.getTime() + 48 * H),
  shifts,
});

const quietLog: SyncLog & { lines: string[] } = {
  lines: [],
  info(_o, m) {
    this.lines.push(`info ${m}`);
  },
  warn(_o, m) {
    this.lines.push(`warn ${m}`);
  },
  error(_o, m) {
    this.lines.push(`error ${m}`);
  },
};

describe('ScheduleSyncEngine', () => {
  let dir: string;
  let store: Store;
  let clock: Date;
  let digests: Array<{ source: string; rows: number; key: string }>;
  let engine: ScheduleSyncEngine;

  const build = (sources: SourceSettings[]) =>
    new ScheduleSyncEngine(
      {
        schedules: store.schedules,
        sourceStore: store.scheduleSources,
        findPeople,
        now: () => clock,
        log: quietLog,
        unmappedDigest: async (source, rows, key) => {
          digests.push({ source, rows: rows.length, key });
        },
        affectedNotices: (c) =>
          [c.before?.personId, c.after?.personId]
            .filter((p): p is string => p !== undefined)
            .map((p) => ({
              channel: 'page',
              target: `test:${p}`,
              payload: { shift: c.shiftId },
              alertId: null,
            })),
      },
      sources,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-sync-'));
    store = openSqliteStore(dir);
    clock = now;
    digests = [];
    engine = build([settings()]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps rows to people and assignments, and reports every row it cannot map instead of guessing', async () => {
    const outcome = await engine.apply(
      'amion',
      window([
        row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12, { at: 'line 2' }),
        // The same person on two assignments is two rows.
        row('Hospitalist Backup', { 'Unique ID': 'U3' }, 0, 12),
        row('RRT Lead', { 'Unique ID': 'U3' }, 0, 12),
        // Falls back to the abbreviation when the unique id is blank.
        row('Hospitalist', { 'Unique ID': '', Abbrev: 'DRD' }, 12, 12),
        row('Hospitalist', { 'Unique ID': 'U404' }, 24, 12, { at: 'line 6' }),
        row('Hospitalist', { 'Unique ID': 'U2' }, 36, 12, { at: 'line 7' }),
        row('Cafeteria', { 'Unique ID': 'U1' }, 0, 8, { at: 'line 8' }),
      ]),
    );
    expect(outcome.status).toBe('applied');
    expect(outcome.counts).toMatchObject({ rows: 7, shifts: 5, unmapped: 3, added: 5 });
    expect(outcome.unmapped.map((u) => [u.rowRef, u.reason, u.assignmentIds, u.personIds])).toEqual([
      ['line 6', 'nobody', ['hospitalist-oncall'], []],
      ['line 7', 'two-people', ['hospitalist-oncall'], ['p-baker', 'p-baker-2']],
      ['line 8', 'unknown-task', [], []],
    ]);
    const oncall = new OnCallResolver(store.schedules);
    const at = new Date(now.getTime() + H);
    expect((await oncall.onCall('hospitalist-oncall', at)).map((e) => [e.personId, e.callOrder])).toEqual([
      ['p-ahmed', 1],
      ['p-chen', 2],
    ]);
    expect((await oncall.onCall('icu-intensivist', at)).map((e) => e.personId)).toEqual(['p-chen']);
    expect((await oncall.onCall('rapid-response', at)).map((e) => e.personId)).toEqual(['p-chen']);
    expect(
      (await oncall.onCall('hospitalist-oncall', new Date(now.getTime() + 13 * H))).map((e) => e.personId),
    ).toEqual(['p-diaz']);
    // Nobody is put on the slots of the unmapped rows.
    expect(await oncall.onCall('hospitalist-oncall', new Date(now.getTime() + 25 * H))).toEqual([]);
    expect((await store.scheduleSources.unmapped('amion')).map((u) => u.reason)).toEqual([
      'nobody',
      'two-people',
      'unknown-task',
    ]);
    expect(digests).toEqual([
      { source: 'amion', rows: 3, key: `unmapped-digest:amion:${Math.floor(now.getTime() / 3_600_000)}` },
    ]);
  });

  it('writes nothing for the same schedule again, and reports a swap of doctors as a person change', async () => {
    const first = [
      row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12),
      row('Hospitalist', { 'Unique ID': 'U3' }, 12, 12),
    ];
    await engine.apply('amion', window(first));
    const seq = await store.schedules.lastChangeSeq();
    const again = await engine.apply('amion', window(first));
    expect(again.status).toBe('unchanged');
    expect(await store.schedules.lastChangeSeq()).toBe(seq);
    const swap = await engine.apply(
      'amion',
      window([
        row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12),
        row('Hospitalist', { Abbrev: 'DRD' }, 12, 12),
      ]),
    );
    expect(swap.status).toBe('applied');
    expect(swap.changes.map((c) => [c.kinds, c.before?.personId, c.after?.personId, c.actor])).toEqual([
      [['person-changed'], 'p-chen', 'p-diaz', 'sync:amion'],
    ]);
    expect((await engine.statuses())[0]).toMatchObject({ lastSuccessAt: now, lastError: null });
  });

  it('keeps the last good schedule when a pull is malformed, and marks the source failing', async () => {
    await engine.apply('amion', window([row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12)]));
    const seq = await store.schedules.lastChangeSeq();
    clock = new Date(now.getTime() + 15 * 60_000);
    const bad = await engine.apply(
      'amion',
      window([row('Hospitalist', { 'Unique ID': 'U3' }, 5, -2, { at: 'line 9' })]),
    );
    expect(bad.status).toBe('failed');
    expect(bad.message).toMatch(/line 9: the shift ends before it starts/);
    expect(await store.schedules.lastChangeSeq()).toBe(seq);
    const st = engine.statusOf('amion');
    expect(st).toMatchObject({
      lastSuccessAt: now,
      failingSince: clock,
      lastError: 'line 9: the shift ends before it starts',
    });
    const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(now.getTime() + H));
    expect(on.map((s) => s.personId)).toEqual(['p-ahmed']);
  });

  it('holds a sync that empties the next 48 hours until an admin confirms it', async () => {
    const full = [0, 12, 24, 36].map((h) => row('Hospitalist', { 'Unique ID': 'U1' }, h, 12));
    await engine.apply('amion', window(full));
    const seq = await store.schedules.lastChangeSeq();
    const held = await engine.apply('amion', window([full[0]]));
    expect(held.status).toBe('held');
    expect(held.guard).toEqual({ hold: true, removes: 3, ofTotal: 4 });
    expect(held.changes.map((c) => c.kinds)).toEqual([['removed'], ['removed'], ['removed']]);
    expect(await store.schedules.lastChangeSeq()).toBe(seq);
    expect((await store.scheduleSources.held('amion'))?.reason).toMatch(/remove 3 of the 4 shifts/);
    const confirmed = await engine.confirmHeld('amion', 'admin:alice');
    expect(confirmed?.status).toBe('applied');
    expect(confirmed?.changes.map((c) => [c.kinds, c.actor])).toEqual([
      [['removed'], 'admin:alice'],
      [['removed'], 'admin:alice'],
      [['removed'], 'admin:alice'],
    ]);
    expect(await store.scheduleSources.held('amion')).toBeUndefined();
    expect(await engine.confirmHeld('amion', 'admin:alice')).toBeUndefined();
    // Removing 1 of the 1 left is over 30 % too: held again.
    expect((await engine.apply('amion', window([]))).status).toBe('held');
  });

  it('applies a held sync when the next sync agrees, and drops it when the next one does not remove', async () => {
    const full = [0, 12, 24, 36].map((h) => row('Hospitalist', { 'Unique ID': 'U1' }, h, 12));
    await engine.apply('amion', window(full));
    expect(await engine.apply('amion', window([])).then((o) => o.status)).toBe('held');
    const agreed = await engine.apply('amion', window([]));
    expect(agreed.status).toBe('applied');
    expect(agreed.message).toMatch(/confirmed by this one/);
    expect(await store.schedules.shiftsOverlapping(now, new Date(now.getTime() + 48 * H))).toEqual([]);

    await engine.apply('amion', window(full));
    expect((await engine.apply('amion', window([]))).status).toBe('held');
    const healed = await engine.apply('amion', window(full));
    expect(healed.status).toBe('unchanged');
    expect(await store.scheduleSources.held('amion')).toBeUndefined();
  });

  it('does not take the same dropped file read again as the next sync agreeing', async () => {
    const full = [0, 12, 24, 36].map((h) => row('Hospitalist', { 'Unique ID': 'U1' }, h, 12));
    await engine.apply('amion', window(full));
    const file = { ...window([]), origin: 'drop/schedule.csv 2026-11-22T11:58:00Z' };
    expect((await engine.apply('amion', file)).status).toBe('held');
    expect((await engine.apply('amion', file)).status).toBe('held');
    expect((await engine.apply('amion', { ...file, origin: 'drop/schedule-2.csv' })).status).toBe('applied');
  });

  it('shows a dry run without writing anything', async () => {
    const dry = await engine.apply('amion', window([row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12)]), {
      dryRun: true,
    });
    expect(dry.status).toBe('dry-run');
    expect(dry.changes.map((c) => [c.seq, c.kinds])).toEqual([[0, ['added']]]);
    expect(await store.schedules.lastChangeSeq()).toBe(0);
    expect(await store.scheduleSources.listStatus()).toEqual([]);
  });

  it('applies deltas by the source ids and pages the affected people in the same transaction when asked', async () => {
    engine = build([settings({ id: 'bolt', notifyAffected: true, massDeleteShare: 1 })]);
    const upsert = (key: string, id: string, startH: number): SourceShift =>
      row('Hospitalist', { 'Unique ID': id }, startH, 12, { sourceId: key });
    await engine.apply(
      'bolt',
      { mode: 'delta', shifts: [upsert('k1', 'U1', 0), upsert('k2', 'U3', 12)], deleted: [], cursor: 'c1' },
      { actor: 'push:bolt' },
    );
    const r = await engine.apply(
      'bolt',
      { mode: 'delta', shifts: [upsert('k1', 'U3', 0)], deleted: ['k2'], cursor: 'c2' },
      { actor: 'push:bolt' },
    );
    expect(r.status).toBe('applied');
    expect(r.changes.map((c) => [c.shiftId, c.kinds, c.actor])).toEqual([
      ['bolt:k1@hospitalist-oncall', ['person-changed'], 'push:bolt'],
      ['bolt:k2@hospitalist-oncall', ['removed'], 'push:bolt'],
    ]);
    expect(engine.statusOf('bolt').cursor).toBe('c2');
    const pages = await store.outbox.list({ channel: 'page' });
    expect(pages.map((p) => p.target).sort()).toEqual([
      'test:p-ahmed',
      'test:p-ahmed',
      'test:p-chen',
      'test:p-chen',
      'test:p-chen',
    ]);
  });

  it('reads DST weeks through the engine: the 07:00 handoffs land at the right instants', async () => {
    const zone = 'America/New_York';
    // 24-hour shifts 07:00 to 07:00 local, across spring forward (2026-03-08) and fall back (2026-11-01).
    const week = (first: string) =>
      Array.from({ length: 7 }, (_, i) => DateTime.fromISO(first, { zone }).plus({ days: i })).map(
        (d, i): SourceShift => ({
          staff: { 'Unique ID': i % 2 ? 'U1' : 'U3' },
          task: { Name: 'Hospitalist' },
          start: d.toJSDate(),
          end: d.plus({ days: 1 }).toJSDate(),
        }),
      );
    const who = async (iso: string) =>
      (await store.schedules.shiftsAt('hospitalist-oncall', DateTime.fromISO(iso, { zone }).toJSDate())).map(
        (s) => s.personId,
      );
    const hours = (r: { changes: Array<{ after: { start: Date; end: Date } | null }> }) =>
      r.changes.map((c) => ((c.after?.end.getTime() ?? 0) - (c.after?.start.getTime() ?? 0)) / H);
    for (const [first, short, long] of [
      ['2026-03-05T07:00', [24, 24, 23, 24, 24, 24, 24], '2026-03-08T11:00:00.000Z'],
      ['2026-10-29T07:00', [24, 24, 25, 24, 24, 24, 24], '2026-11-01T12:00:00.000Z'],
    ] as const) {
      const rows = week(first);
      clock = new Date(rows[0].start.getTime() - H);
      const r = await engine.apply('amion', {
        mode: 'window',
        from: rows[0].start,
        to: rows[6].end,
        shifts: rows,
      });
      expect(r.counts.added).toBe(7);
      expect(hours(r)).toEqual(short);
      expect(r.changes[3].after?.start.toISOString()).toBe(long);
      const day = long.slice(0, 10);
      const next = DateTime.fromISO(day).plus({ days: 1 }).toISODate();
      expect(await who(`${day}T06:59`)).toEqual(['p-chen']);
      expect(await who(`${day}T07:00`)).toEqual(['p-ahmed']);
      expect(await who(`${next}T06:59`)).toEqual(['p-ahmed']);
      expect(await who(`${next}T07:00`)).toEqual(['p-chen']);
    }
  });
});

/** A client whose next pull the test decides. */
class FakeClient implements ScheduleSourceClient {
  readonly kind = 'fake';
  next: (request: PullRequest) => Promise<SourcePull> = async () => window([]);
  appliedCalls = 0;
  constructor(readonly minIntervalMs?: number) {}
  pull(request: PullRequest): Promise<SourcePull> {
    return this.next(request);
  }
  async applied(): Promise<void> {
    this.appliedCalls += 1;
  }
}

describe('ScheduleSyncRunner', () => {
  let dir: string;
  let store: Store;
  let clock: Date;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-runner-'));
    store = openSqliteStore(dir);
    clock = now;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function runner(client: FakeClient, stale: string[] = []) {
    const engine = new ScheduleSyncEngine(
      {
        schedules: store.schedules,
        sourceStore: store.scheduleSources,
        findPeople,
        now: () => clock,
        log: quietLog,
      },
      [settings()],
    );
    const r = new ScheduleSyncRunner(engine, new Map([['amion', client]]), {
      now: () => clock,
      log: quietLog,
      stale: async (s, since) => {
        stale.push(`${s.id} since ${since.toISOString()}`);
      },
    });
    return { engine, runner: r };
  }

  it('asks the client for the configured window, tells it when applied, and plans the next run', async () => {
    const client = new FakeClient();
    const asked: PullRequest[] = [];
    client.next = async (req) => {
      asked.push(req);
      req.progress?.(1);
      return window([row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12)]);
    };
    const { engine, runner: r } = runner(client);
    const outcome = await r.syncNow('amion');
    expect(outcome.status).toBe('applied');
    expect(asked[0].from).toEqual(now);
    expect(asked[0].to).toEqual(new Date(now.getTime() + 48 * H));
    expect(client.appliedCalls).toBe(1);
    expect(engine.statusOf('amion').nextRunAt).toEqual(new Date(now.getTime() + 15 * 60_000));
    await r.stop();
  });

  it('keeps the schedule when the source fails, honours Retry-After and never polls faster than the system allows', async () => {
    const client = new FakeClient(5 * 60_000);
    client.next = async () => window([row('Hospitalist', { 'Unique ID': 'U1' }, 0, 12)]);
    const { engine, runner: r } = runner(client);
    await r.syncNow('amion');
    client.next = async () => {
      throw new SourceError('HTTP 429 from amion', { status: 429, retryAfterMs: 20 * 60_000 });
    };
    const failed = await r.syncNow('amion');
    expect(failed.status).toBe('failed');
    expect(engine.statusOf('amion')).toMatchObject({ lastError: 'HTTP 429 from amion', failingSince: now });
    expect(engine.statusOf('amion').nextRunAt).toEqual(new Date(now.getTime() + 20 * 60_000));
    client.next = async () => {
      throw new SourceError('connection refused');
    };
    await r.syncNow('amion');
    // The first retry would be after a minute; the system asks for five.
    expect(engine.statusOf('amion').nextRunAt).toEqual(new Date(now.getTime() + 5 * 60_000));
    expect(client.appliedCalls).toBe(1);
    const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(now.getTime() + H));
    expect(on.map((s) => s.personId)).toEqual(['p-ahmed']);
    expect(r.health()).toEqual([
      { id: 'amion', state: 'failing', lastSuccessAt: now, lastError: 'connection refused' },
    ]);
    await r.stop();
  });

  it('abandons a pull in flight at stop without marking the source failing or applying it', async () => {
    const client = new FakeClient();
    let started: () => void = () => {};
    const pulling = new Promise<void>((resolve) => {
      started = resolve;
    });
    client.next = (req) =>
      new Promise((_resolve, reject) => {
        started();
        req.signal.addEventListener('abort', () => reject(req.signal.reason));
      });
    const { engine, runner: r } = runner(client);
    const sync = r.syncNow('amion');
    await pulling;
    await r.stop();
    expect((await sync).status).toBe('failed');
    expect(engine.statusOf('amion')).toMatchObject({ lastError: null, failingSince: null });
    expect(await store.schedules.lastChangeSeq()).toBe(0);
  });

  it('tells the failsafe group once per stale episode', async () => {
    const client = new FakeClient();
    client.next = async () => window([]);
    const stale: string[] = [];
    const { runner: r } = runner(client, stale);
    await r.syncNow('amion');
    clock = new Date(now.getTime() + 61 * 60_000);
    expect(r.health()[0].state).toBe('stale');
    expect(await r.checkStale()).toBe(1);
    expect(await r.checkStale()).toBe(0);
    expect(stale).toEqual([`amion since ${now.toISOString()}`]);
    await r.syncNow('amion');
    expect(r.health()[0].state).toBe('ok');
    clock = new Date(clock.getTime() + 61 * 60_000);
    expect(await r.checkStale()).toBe(1);
    expect(stale).toHaveLength(2);
    await r.stop();
  });

  it('keeps answering on-call lookups while a sync is fetched and applied, old schedule or new, never a mix', async () => {
    const client = new FakeClient();
    const oldRows = Array.from({ length: 2000 }, (_, i) =>
      row('Hospitalist', { 'Unique ID': 'U1' }, -1 + i * 0.001, 12, { sourceId: `o${i}` }),
    );
    client.next = async () => window(oldRows);
    const { runner: r } = runner(client);
    await r.syncNow('amion');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const newRows = oldRows.map((x, i) => ({ ...x, staff: { 'Unique ID': 'U3' }, sourceId: `o${i}` }));
    client.next = async () => {
      await gate;
      return window(newRows);
    };
    const at = new Date(now.getTime() + H);
    const sync = r.syncNow('amion');
    const during: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const people = new Set(
        (await store.schedules.shiftsAt('hospitalist-oncall', at)).map((s) => s.personId),
      );
      during.push([...people]);
      if (i === 10) release();
    }
    expect((await sync).counts.changed).toBe(2000);
    const after = new Set((await store.schedules.shiftsAt('hospitalist-oncall', at)).map((s) => s.personId));
    for (const p of during) expect([['p-ahmed'], ['p-chen']]).toContainEqual(p);
    expect(during[0]).toEqual(['p-ahmed']);
    expect([...after]).toEqual(['p-chen']);
    await r.stop();
  });
});
