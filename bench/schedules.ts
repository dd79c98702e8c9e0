/**
 * A large QGenda site's schedule synced through the engine: a generated 50,000-shift `GET /v2/schedule`
 * payload, served by a QGenda API in this process, pulled by the real QGenda client in a child process
 * (login, pages of 100 days, each read as it arrives), mapped, diffed and stored (with its change feed)
 * into a temp SQLite store, first into an empty store and then again with about 5 % of the shifts changed.
 * Next to it, in the same run, the bare `JSON.parse` of the same payload: the target is sync + diff + store
 * within 3x of the bare parse, and a peak of at most 200 MB. The floor of the same work (schedules/floor.ts:
 * the pages fetched and parsed whole, bare inserts of the rows into the same schema, a bare read of them)
 * is measured in the same run too, so what bounds the ratio is shown by each run.
 *
 * Each phase runs in a child process of its own, so its peak memory (maxRSS) is its own. During each sync
 * the child also answers on-call lookups on a fixed schedule (one every 2 ms, latency counted from when it
 * was due, so a lookup held up by the sync counts in full), and the same lookups idle after the second.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';
import type { Part, SyncFloor } from './schedules/floor.ts';
import { qgendaPayload } from './schedules/payload.ts';
import { startBenchQGenda } from './schedules/qgenda-server.ts';

export const about =
  'schedule sync of a 50,000-shift QGenda payload: time and peak memory of sync+diff+store next to a bare JSON.parse; on-call lookup p99 during the sync next to idle';
export const usage = `  --shifts 50000       shifts in the payload
  --changed 0.05       share of shifts changed in the second sync
  --gzip               the QGenda server answers gzip (as QGenda does); the client inflates it
  --semi-space MB      V8's largest semi-space in every phase's process (--max-semi-space-size; 16 by default)`;

interface PhaseResult {
  phase: string;
  ms: number;
  /** CPU time of the phase's process over it (every thread, user and system). */
  cpuMs?: number;
  /** The client's part: the pull (its pages fetched and each entry read). */
  readMs?: number;
  /** The engine's part: map, diff, store with the feed. */
  engineMs?: number;
  maxRssMb: number;
  /** The process's RSS with its modules loaded, before the phase began. */
  idleRssMb: number;
  changes?: number;
  lookupIdleP99?: number;
  lookupSyncP99?: number;
  lookupIdleMax?: number;
  lookupSyncMax?: number;
  lookups?: number;
  floor?: SyncFloor;
}

function runPhase(
  phase: string,
  shifts: number,
  target: string,
  v8: readonly string[],
): Promise<PhaseResult[]> {
  const script = new URL('./schedules/phase.ts', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    const child = fork(script, [phase, String(shifts), target], {
      execArgv: [...v8, '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const results: PhaseResult[] = [];
    child.on('message', (m: PhaseResult) => results.push(m));
    child.once('exit', (code) =>
      code === 0 ? resolve(results) : reject(new Error(`${phase} exited with ${code}`)),
    );
  });
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shifts: { type: 'string', default: '50000' },
      changed: { type: 'string', default: '0.05' },
      gzip: { type: 'boolean', default: false },
      'semi-space': { type: 'string' },
    },
  });
  const shifts = Number(values.shifts);
  // A smaller young generation is a process-wide choice (a flag of node), measured here for the sync.
  const semiSpace = values['semi-space'];
  const v8 = semiSpace === undefined ? [] : [`--max-semi-space-size=${Number(semiSpace)}`];
  const changed = Number(values.changed);
  console.log(
    `schedule sync: ${shifts.toLocaleString('en-US')} QGenda shifts, ${Math.round(changed * 100)} % changed in the second sync, served ${values.gzip ? 'gzipped' : 'uncompressed'}${semiSpace === undefined ? '' : `, V8 semi-space at most ${Number(semiSpace)} MB`}\n`,
  );
  // The payloads are written to files first, so a phase's peak memory is its own work, not the generating.
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-payload-'));
  const file = join(dir, 'first.json');
  const payloads = [qgendaPayload(shifts, 0), qgendaPayload(shifts, changed)];
  writeFileSync(file, payloads[0]);
  const qgenda = await startBenchQGenda(payloads, { gzip: values.gzip ?? false });
  payloads.length = 0;
  let parse: PhaseResult;
  let floorRun: PhaseResult;
  let sync: PhaseResult[];
  try {
    [parse] = await runPhase('parse', shifts, file, v8);
    [floorRun] = await runPhase('floor', shifts, qgenda.url, v8);
    sync = await runPhase('sync', shifts, qgenda.url, v8);
  } finally {
    await qgenda.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const floor = floorRun.floor as SyncFloor;
  const vs = (ms: number) => `${(ms / parse.ms).toFixed(2)}x`;
  const cpu = (ms: number | undefined) =>
    ms === undefined ? ['', ''] : [formatMs(ms), `${(ms / (parse.cpuMs ?? Number.NaN)).toFixed(2)}x`];
  const rows = [parse, ...sync].map((r) => [
    r.phase,
    formatMs(r.ms),
    vs(r.ms),
    ...cpu(r.cpuMs),
    r.readMs === undefined ? '' : formatMs(r.readMs),
    r.engineMs === undefined ? '' : formatMs(r.engineMs),
    r.maxRssMb.toFixed(0),
    r.idleRssMb.toFixed(0),
    r.changes ?? '',
  ]);
  const n = floor.rows.toLocaleString('en-US');
  const floorRows: Array<[string, Part]> = [
    ['floor: the pages fetched and JSON.parse whole', floor.fetchParse],
    [`floor: bare inserts of the ${n} shifts`, floor.shifts],
    [`floor: bare inserts of their ${n} feed entries, commit, WAL synced`, floor.feed],
    [`floor: bare raw read of the ${n} stored shifts`, floor.read],
  ];
  const floorPeak = [floorRun.maxRssMb.toFixed(0), floorRun.idleRssMb.toFixed(0)];
  for (const [label, p] of floorRows)
    rows.push([label, formatMs(p.ms), vs(p.ms), ...cpu(p.cpuMs), '', '', ...floorPeak, '']);
  console.log(
    formatTable(
      [
        { title: 'phase' },
        { title: 'ms', align: 'right' },
        { title: 'vs parse', align: 'right' },
        { title: 'CPU ms', align: 'right' },
        { title: 'CPU vs parse', align: 'right' },
        { title: 'client pull ms', align: 'right' },
        { title: 'engine ms', align: 'right' },
        { title: 'peak RSS MB', align: 'right' },
        { title: 'idle RSS MB', align: 'right' },
        { title: 'feed entries', align: 'right' },
      ],
      rows,
    ),
  );
  const first = sync.find((r) => r.phase.startsWith('first'));
  const second = sync.find((r) => r.phase.startsWith('second'));
  if (first && second) {
    const ms = (v: number | undefined) => formatMs(v ?? Number.NaN);
    console.log(
      `\non-call lookups (one due every 2 ms): idle p99 ${ms(second.lookupIdleP99)} ms (max ${ms(second.lookupIdleMax)}); during the first sync p99 ${ms(first.lookupSyncP99)} ms (max ${ms(first.lookupSyncMax)}); during the second sync p99 ${ms(second.lookupSyncP99)} ms (max ${ms(second.lookupSyncMax)}); ${first.lookups} the first, ${second.lookups}`,
    );
  }
  // A first sync fetches, reads and writes everything; a second fetches and reads everything and compares
  // it with the stored window.
  const firstFloor = [floor.fetchParse, floor.shifts, floor.feed];
  const secondFloor = [floor.fetchParse, floor.read];
  const sum = (parts: Part[]) => {
    const ms = parts.reduce((n, p) => n + p.ms, 0);
    const cpuMs = parts.reduce((n, p) => n + p.cpuMs, 0);
    return `${formatMs(ms)} ms (${vs(ms)}; CPU ${formatMs(cpuMs)} ms, ${cpu(cpuMs)[1]})`;
  };
  console.log(
    `\nfloor (measured above, nothing of ours in it): a first sync's fetch + parse + inserts ${sum(firstFloor)}, a second sync's fetch + parse + read of the stored window ${sum(secondFloor)}, before any entry is read, mapped or compared`,
  );
  console.log(
    `\n${formatTargets([
      {
        label: 'first sync <= 3x bare parse',
        measured: (first?.ms ?? Number.NaN) / parse.ms,
        threshold: 3,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'second sync <= 3x bare parse',
        measured: (second?.ms ?? Number.NaN) / parse.ms,
        threshold: 3,
        direction: 'at-most',
        unit: 'x',
      },
      {
        label: 'peak memory <= 200 MB',
        measured: Math.max(...sync.map((r) => r.maxRssMb)),
        threshold: 200,
        direction: 'at-most',
        unit: 'MB',
        format: (v) => v.toFixed(0),
      },
      {
        label: 'lookup p99 during sync <= 2x idle',
        measured: (second?.lookupSyncP99 ?? Number.NaN) / (second?.lookupIdleP99 ?? Number.NaN),
        threshold: 2,
        direction: 'at-most',
        unit: 'x',
      },
    ])}`,
  );
}
