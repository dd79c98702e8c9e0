/**
 * One phase of bench/schedules.ts in a process of its own (its maxRSS is its peak): `parse` times a bare
 * JSON.parse of the payload file; `sync` pulls the payload from the bench's QGenda server with the real
 * QGenda client and applies it through the engine into an empty temp store, then a changed copy, with
 * on-call lookups running during each sync and idle after; `floor` measures the same work with nothing of
 * ours in it (floor.ts). Each reports to the parent over IPC, with the process's RSS before it began.
 *
 *   phase.ts parse <shifts> <payload file>
 *   phase.ts floor <shifts> <QGenda server URL>
 *   phase.ts sync <shifts> <QGenda server URL>
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { OnCallResolver } from '../../src/schedules/on-call.ts';
import type { SourceSettings } from '../../src/schedules/source-config.ts';
import { QGendaClient } from '../../src/schedules/sources/qgenda.ts';
import { ScheduleSyncEngine } from '../../src/schedules/sync-engine.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { LatencySamples } from '../lib/latency.ts';
import { measureFloor } from './floor.ts';
import { TASKS, windowOf } from './payload.ts';

const [phase, shiftsArg, target] = process.argv.slice(2);
const shifts = Number(shiftsArg);
const zone = 'America/New_York';
const rssMb = () => process.resourceUsage().maxRSS / 1024;
/** CPU time of the whole process (every thread), user and system, in ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** The process with its modules loaded, before the phase does anything. */
const idleRssMb = process.memoryUsage.rss() / 1048576;

function report(m: object): void {
  process.send?.({ ...m, idleRssMb });
}

if (phase === 'parse') {
  const payload = readFileSync(target, 'utf8');
  const times: Array<{ ms: number; cpuMs: number }> = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = cpuMs();
    JSON.parse(payload);
    times.push({ ms: performance.now() - t, cpuMs: cpuMs() - c });
  }
  times.sort((a, b) => a.ms - b.ms);
  report({ phase: 'bare JSON.parse (median of 3)', ...times[1], maxRssMb: rssMb() });
} else if (phase === 'floor') {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-floor-'));
  const floor = await measureFloor(target, windowOf(shifts), zone, dir);
  report({ phase: 'floor', ms: Number.NaN, maxRssMb: rssMb(), floor });
  rmSync(dir, { recursive: true, force: true });
} else {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sync-'));
  const store = openSqliteStore(dir);
  await store.schedules.upsertAssignments(
    Array.from({ length: TASKS }, (_, i) => ({
      id: `a${i}`,
      name: `Task ${i}`,
      type: 'oncall' as const,
      department: 'Bench',
    })),
  );
  const settings: SourceSettings = {
    id: 'qgenda',
    kind: 'qgenda',
    enabled: true,
    everyMinutes: 15,
    daysBack: 0,
    daysForward: 130,
    staleAfterMinutes: 60,
    massDeleteShare: 0.3,
    people: [{ field: 'StaffId', match: 'uniqueId' }],
    assignments: Array.from({ length: TASKS }, (_, i) => ({
      task: { TaskId: `T${i}` },
      assignment: `a${i}`,
      callOrder: 1,
    })),
    notifyAffected: false,
    unmappedDigestMinutes: 1440,
    options: {},
  };
  const { from, to } = windowOf(shifts);
  const engine = new ScheduleSyncEngine(
    {
      schedules: store.schedules,
      sourceStore: store.scheduleSources,
      findPeople: (_kind, value) => [`p-${value}`],
      now: () => from,
      log: { info() {}, warn() {}, error() {} },
    },
    [settings],
  );
  /** Pulls payload `key` as the runner does (a whole-window pull of the QGenda client) and applies it. */
  const sync = async (key: string) => {
    const client = new QGendaClient(
      {
        baseUrl: new URL(target),
        companyKey: key,
        email: 'bench@example.org',
        password: 'bench',
        daysPerRequest: 100,
        fullPullEveryMinutes: 360,
        timeoutMs: 120_000,
      },
      { zone, configDir: '.', sourceId: 'qgenda' },
    );
    const t = performance.now();
    const cpu = cpuMs();
    const pull = await client.pull({ from, to, signal: new AbortController().signal });
    const pulled = performance.now();
    const outcome = await engine.apply('qgenda', pull);
    if (outcome.status !== 'applied') throw new Error(`sync ${outcome.status}: ${outcome.message}`);
    const end = performance.now();
    return {
      ms: end - t,
      cpuMs: cpuMs() - cpu,
      readMs: pulled - t,
      engineMs: end - pulled,
      changes: outcome.changes.length,
    };
  };

  const resolver = new OnCallResolver(store.schedules);
  const span = to.getTime() - from.getTime();
  let k = 0;
  const lookup = () =>
    resolver.onCall(`a${k % TASKS}`, new Date(from.getTime() + ((k++ * 7919 * 60_000) % span)));
  /** Lookups due every 2 ms until `done` settles; latency from when each was due. */
  const lookups = async (done: Promise<unknown>) => {
    const samples = new LatencySamples(8192);
    let finished = false;
    void done.finally(() => {
      finished = true;
    });
    let due = performance.now();
    while (!finished) {
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      await lookup();
      samples.add(performance.now() - due);
      due += 2;
    }
    return samples;
  };

  const firstSync = sync('0');
  const duringFirst = (await lookups(firstSync)).summary();
  const first = await firstSync;
  report({
    phase: 'first sync (pull, map, diff, store + feed)',
    ms: first.ms,
    cpuMs: first.cpuMs,
    readMs: first.readMs,
    engineMs: first.engineMs,
    maxRssMb: rssMb(),
    changes: first.changes,
    lookupSyncP99: duringFirst.p99Ms,
    lookupSyncMax: duringFirst.maxMs,
    lookups: `${duringFirst.count} during`,
  });

  const secondSync = sync('1');
  const during = (await lookups(secondSync)).summary();
  const again = await secondSync;
  const idle = (await lookups(sleep(Math.max(1000, during.count * 2)))).summary();
  report({
    phase: 'second sync (changed shifts)',
    ms: again.ms,
    cpuMs: again.cpuMs,
    readMs: again.readMs,
    engineMs: again.engineMs,
    maxRssMb: rssMb(),
    changes: again.changes,
    lookupSyncP99: during.p99Ms,
    lookupSyncMax: during.maxMs,
    lookupIdleP99: idle.p99Ms,
    lookupIdleMax: idle.maxMs,
    lookups: `${during.count} during, ${idle.count} idle`,
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
