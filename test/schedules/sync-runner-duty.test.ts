/**
 * The sync runner on a cluster (SourceDuty, wired in wiring/schedule-sync.ts): a source's timer runs only
 * on the instance on duty for it, the others read its status from the store instead of their own memory
 * (health, stale alerts), and a pull cut short because the duty moved on is neither applied nor a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceSettings } from '../../src/schedules/source-config.ts';
import type { PushSourceClient } from '../../src/schedules/sources/push.ts';
import type { PullRequest, ScheduleSourceClient } from '../../src/schedules/sources/source.ts';
import { emptyStatus, ScheduleSyncEngine, type SyncLog } from '../../src/schedules/sync-engine.ts';
import { ScheduleSyncRunner, type SourceDuty } from '../../src/schedules/sync-runner.ts';
import type { Store } from '../../src/store/port.ts';
import type { SourceStatusRecord } from '../../src/store/schedule-source-port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { until } from '../support/duties.ts';

const t0 = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;
const log: SyncLog = { info() {}, warn() {}, error() {} };

function settings(id: string, kind: string): SourceSettings {
  return {
    id,
    kind,
    enabled: true,
    everyMinutes: 15,
    daysBack: 0,
    daysForward: 2,
    staleAfterMinutes: 60,
    massDeleteShare: 0.3,
    people: [],
    assignments: [],
    notifyAffected: false,
    unmappedDigestMinutes: 1440,
    options: {},
  };
}

/** What another instance of the cluster wrote of a source. */
const status = (sourceId: string, over: Partial<SourceStatusRecord>): SourceStatusRecord => ({
  ...emptyStatus(sourceId),
  ...over,
});

describe('the sync runner on a cluster', () => {
  let dir: string;
  let store: Store;
  let now: Date;
  let pulls: PullRequest[];
  /** Resolves the pull in flight; a pull waits for it (or for its signal). */
  let answer: (() => void) | undefined;
  let held: Set<string>;
  let told: string[];
  let runner: ScheduleSyncRunner;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-runner-duty-'));
    store = openSqliteStore(dir);
    now = t0;
    pulls = [];
    held = new Set();
    told = [];
    const rota: ScheduleSourceClient = {
      kind: 'test',
      pull: (request) => {
        pulls.push(request);
        return new Promise((resolve, reject) => {
          answer = () => resolve({ mode: 'window', from: request.from, to: request.to, shifts: [] });
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
        });
      },
    };
    const pushed: PushSourceClient = {
      kind: 'push',
      pushed: true,
      pull: () => Promise.reject(new Error('never pulled')),
    };
    const engine = new ScheduleSyncEngine(
      {
        schedules: store.schedules,
        sourceStore: store.scheduleSources,
        findPeople: () => [],
        now: () => now,
        log,
      },
      [settings('rota', 'test'), settings('anesthesia', 'push')],
    );
    const controllers = new Map<string, AbortController>();
    const duty: SourceDuty = {
      holds: (id) => held.has(id),
      turn: async (id, pull) => {
        if (!held.has(id)) return undefined;
        const controller = new AbortController();
        controllers.set(id, controller);
        return pull(controller.signal);
      },
    };
    runner = new ScheduleSyncRunner(
      engine,
      new Map<string, ScheduleSourceClient>([
        ['rota', rota],
        ['anesthesia', pushed],
      ]),
      {
        now: () => now,
        log,
        duty,
        stale: async (source) => {
          told.push(source.id);
        },
      },
    );
    /** The duty moves to another instance: the turn's signal aborts and the runner hears of it. */
    loseDuty = (id) => {
      held.delete(id);
      controllers.get(id)?.abort(new Error('duty lost'));
      runner.handOver(id);
    };
  });
  let loseDuty: (id: string) => void;

  afterEach(async () => {
    await runner.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls nothing off duty; takes over at the stored next run with the stored status', async () => {
    await runner.start();
    // Another instance synced an hour ago and stored its next run (due now) and its cursor.
    await store.scheduleSources.saveStatus(
      status('rota', { lastSuccessAt: new Date(t0.getTime() - HOUR / 2), nextRunAt: t0, cursor: 'c-17' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pulls).toEqual([]);
    held.add('rota');
    await runner.takeOver('rota');
    await until('the pull', () => pulls.length === 1);
    expect(pulls[0].cursor).toBe('c-17');
    answer?.();
    await until(
      'the next run planned',
      async () => (await store.scheduleSources.status('rota'))?.nextRunAt?.getTime() !== t0.getTime(),
    );
    expect(runner.health().find((h) => h.id === 'rota')?.state).toBe('ok');
  });

  it('off duty, health follows the stored status and no stale alert is raised', async () => {
    await runner.start();
    now = new Date(t0.getTime() + 3 * HOUR);
    expect(await runner.checkStale()).toBe(0);
    expect(told).toEqual([]);
    // The instance on duty keeps syncing: health here says so, not "stale" from this instance's memory.
    await store.scheduleSources.saveStatus(
      status('rota', { lastSuccessAt: new Date(now.getTime() - 60_000) }),
    );
    await runner.checkStale();
    expect(runner.health().find((h) => h.id === 'rota')).toMatchObject({ state: 'ok' });
  });

  it('on duty for a push source, reads what the pushes to any instance stored before it says stale', async () => {
    held.add('anesthesia');
    await runner.start();
    now = new Date(t0.getTime() + 3 * HOUR);
    await store.scheduleSources.saveStatus(
      status('anesthesia', { lastSuccessAt: new Date(now.getTime() - 60_000) }),
    );
    expect(await runner.checkStale()).toBe(0);
    now = new Date(now.getTime() + 3 * HOUR);
    expect(await runner.checkStale()).toBe(1);
    expect(told).toEqual(['anesthesia']);
  });

  it('a pull cut short because the duty moved on is not applied, not a failure, and plans nothing', async () => {
    held.add('rota');
    await runner.start();
    await runner.takeOver('rota');
    await until('the pull', () => pulls.length === 1);
    loseDuty('rota');
    await until(
      'the pull to end',
      async () => (await store.scheduleSources.status('rota')) !== undefined || pulls[0].signal.aborted,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await store.scheduleSources.status('rota');
    expect(after?.lastError ?? null).toBeNull();
    expect(after?.nextRunAt ?? null).toBeNull();
    expect(pulls).toHaveLength(1);
  });
});
