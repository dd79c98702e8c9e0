/**
 * One phase of bench/schedules.ts in a process of its own (its maxRSS is its peak): `parse` times a bare
 * JSON.parse of the payload; `sync` syncs it into an empty temp store, then a changed copy, with on-call
 * lookups running during the second sync and idle after it. Reports to the parent over IPC.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { OnCallResolver } from '../../src/schedules/on-call.ts';
import type { SourceSettings } from '../../src/schedules/source-config.ts';
import { type QGendaRow, readQGendaRow } from '../../src/schedules/sources/qgenda-rows.ts';
import type { SourceShift } from '../../src/schedules/sources/source.ts';
import { ScheduleSyncEngine } from '../../src/schedules/sync-engine.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { LatencySamples } from '../lib/latency.ts';
import { TASKS, windowOf } from './payload.ts';

const [phase, shiftsArg, firstFile, secondFile] = process.argv.slice(2);
const shifts = Number(shiftsArg);
const zone = 'America/New_York';
const rssMb = () => process.resourceUsage().maxRSS / 1024;

function report(m: object): void {
  process.send?.(m);
}

function read(payload: string): SourceShift[] {
  const rows = JSON.parse(payload) as QGendaRow[];
  const out: SourceShift[] = [];
  rows.forEach((row, i) => {
    const r = readQGendaRow(row, i, zone);
    if (r.kind !== 'shift') throw new Error(`row ${i}: ${r.kind}`);
    out.push(r.shift);
  });
  return out;
}

if (phase === 'parse') {
  const payload = readFileSync(firstFile, 'utf8');
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    JSON.parse(payload);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  report({ phase: 'bare JSON.parse (median of 3)', ms: times[1], maxRssMb: rssMb() });
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
  /** Reads (as the QGenda client does: JSON.parse, then each row) and applies one payload file. */
  const sync = async (file: string) => {
    let text: string | undefined = readFileSync(file, 'utf8');
    const t = performance.now();
    const rows = read(text);
    // The body is not needed once read; a client drops it too.
    text = undefined;
    const read_ = performance.now();
    const outcome = await engine.apply('qgenda', { mode: 'window', from, to, shifts: rows });
    if (outcome.status !== 'applied') throw new Error(`sync ${outcome.status}: ${outcome.message}`);
    const end = performance.now();
    return { ms: end - t, readMs: read_ - t, engineMs: end - read_, changes: outcome.changes.length };
  };

  const first = await sync(firstFile);
  report({
    phase: 'first sync (read, map, diff, store + feed)',
    ms: first.ms,
    readMs: first.readMs,
    engineMs: first.engineMs,
    maxRssMb: rssMb(),
    changes: first.changes,
  });

  const resolver = new OnCallResolver(store.schedules);
  const span = to.getTime() - from.getTime();
  let k = 0;
  const lookup = () =>
    resolver.onCall(`a${k % TASKS}`, new Date(from.getTime() + ((k++ * 7919 * 60_000) % span)));
  /** Lookups due every 2 ms until `done` settles; latency from when each was due. */
  const lookups = async (done: Promise<unknown>) => {
    const samples = new LatencySamples(4096);
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
  const second = sync(secondFile);
  const during = await lookups(second);
  const again = await second;
  const idle = await lookups(sleep(Math.max(1000, during.count * 2)));
  const d = during.summary();
  const i = idle.summary();
  report({
    phase: 'second sync (changed shifts)',
    ms: again.ms,
    readMs: again.readMs,
    engineMs: again.engineMs,
    maxRssMb: rssMb(),
    changes: again.changes,
    lookupSyncP99: d.p99Ms,
    lookupSyncMax: d.maxMs,
    lookupIdleP99: i.p99Ms,
    lookupIdleMax: i.maxMs,
    lookups: `${d.count} during, ${i.count} idle`,
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
