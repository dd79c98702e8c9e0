/**
 * Schedule changes fanned out to three connectors at local targets: two signed webhooks and a Microsoft
 * Graph calendar (the test suite's fake Graph, its per-item delay off). The targets run in a child process
 * of their own (bench/connectors/targets.ts), so this process holds only Switchboard and its memory is
 * Switchboard's. Two phases:
 *
 * - backlog: N shift changes committed to the change feed while the connectors are stopped, then the
 *   connectors started and timed until every target has every delivery (feed read, planning, outbox
 *   writes, the worker, signing, $batch). Next to it, in the same run, the bare HTTP client: the very
 *   requests the targets recorded, fetched from the child and replayed from this process with fetch in the
 *   same shape (one stream per target, each in order, webhooks 4 at a time as the worker sends them), as
 *   deliveries per second. Target: connectors >= 0.8x the bare client.
 * - steady: changes committed at a steady rate for --duration seconds with the connectors running on their
 *   production timers (cycle every --cycle-ms, the worker woken by each commit); latency from a change's
 *   commit to the target's receipt of its request, p50/p99 per target.
 *
 * Memory as a series: the heap after a full GC and RSS at the start, after the backlog, every
 * --sample-every seconds of the steady phase and once it has drained; the heap's least-squares slope over
 * the steady phase says whether it is flat (target: at most 1 MB/min). --heap-snapshots DIR writes a heap
 * snapshot at the steady phase's start and end, for bench/lib/heap-snapshot.ts to say what grew.
 */

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import type { ConnectorSettings } from '../src/connectors/connector.ts';
import type { GraphOptions } from '../src/connectors/graph/index.ts';
import { DEFAULT_CONNECTOR_RETRY } from '../src/connectors/settings.ts';
import { DeliveryWorker } from '../src/delivery/outbox/worker.ts';
import { Directory } from '../src/directory/directory.ts';
import type { Shift } from '../src/store/schedule-port.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { installConnectors } from '../src/wiring/connectors.ts';
import { ASSIGNMENTS, PEOPLE } from '../test/support/connectors.ts';
import type { Arrivals, Counts, RecordedRequests } from './connectors/targets.ts';
import { launchServer } from './lib/child-server.ts';
import { percentile } from './lib/latency.ts';
import { type MemoryPoint, MemorySeries, slopePerMinute } from './lib/memory.ts';
import { formatMs, formatRate, formatRatio, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'schedule changes fanned out to 2 webhooks and a Graph calendar: deliveries/s next to a bare fetch replay of the same requests; change → request latency p50/p99; memory over a steady phase';
export const usage = `  --changes 10000       shift changes in the backlog phase
  --rate 100            changes per second in the steady phase
  --duration 60         seconds of the steady phase
  --sample-every 10     seconds between memory points in the steady phase
  --cycle-ms 2000       how often the connectors read the change feed (production default 2000)
  --heap-snapshots DIR  write a heap snapshot at the steady phase's start and once it has drained
                        (npx tsx bench/lib/heap-snapshot.ts compares them)`;

/** Requests in flight at once per webhook, for the connectors and the bare replay alike. */
const WEBHOOK_CONCURRENCY = 4;

const here = dirname(fileURLToPath(import.meta.url));
/** The same clock as the targets' child: both processes read the wall clock behind performance.now(). */
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks the targets' child something over its control server. node:http rather than fetch: a wait for a
 * backlog on a loaded machine can outlast fetch's 300 s headers timeout.
 */
function ask<T>(port: number, method: 'GET' | 'POST', path: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(JSON.parse(text) as T)
          : reject(new Error(`targets ${path}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const settings = (id: string, over: Partial<ConnectorSettings>): ConnectorSettings => ({
  id,
  kind: 'webhook',
  enabled: true,
  target: '',
  credentials: { secret: 'bench-secret' },
  assignments: new Map(),
  personId: 'id',
  window: { daysBack: 1, daysForward: 30 },
  cadence: { kind: 'onChange' },
  include: { notes: false, assignmentInfo: true, placeholders: false },
  retry: DEFAULT_CONNECTOR_RETRY,
  digestMinutes: 60,
  options: { timeoutMs: 10_000, concurrency: WEBHOOK_CONCURRENCY },
  ...over,
});

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      changes: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '60' },
      'sample-every': { type: 'string', default: '10' },
      'cycle-ms': { type: 'string', default: '2000' },
      'heap-snapshots': { type: 'string' },
    },
  });
  const changes = Number(values.changes);
  const rate = Number(values.rate);
  const durationS = Number(values.duration);
  const sampleEveryS = Number(values['sample-every']);
  const cycleMs = Number(values['cycle-ms']);
  const given = { changes, rate, duration: durationS, 'sample-every': sampleEveryS, 'cycle-ms': cycleMs };
  for (const [option, v] of Object.entries(given))
    if (!(v > 0)) throw new Error(`--${option} must be a positive number`);
  const steady = Math.round(rate * durationS);

  const targets = await launchServer(join(here, 'connectors', 'targets.ts'));
  const t = targets.info as { hookA: string; hookB: string; graphBase: string; graphToken: string };
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-connectors-'));
  const store = openSqliteStore(dir);
  await store.schedules.upsertAssignments(ASSIGNMENTS);
  const log = pino({ level: 'silent' });
  const now = () => new Date();
  const directory = new Directory(PEOPLE);
  const worker = new DeliveryWorker({ outbox: store.outbox, now, log });
  const graphOptions: GraphOptions = {
    baseUrl: t.graphBase,
    tokenUrl: t.graphToken,
    tenant: 't',
    showAs: 'busy',
    categories: [],
    siteName: 'Bench',
    timeoutMs: 10_000,
  };
  const connectors = installConnectors({
    settings: [
      settings('hook-a', { target: t.hookA }),
      settings('hook-b', { target: t.hookB }),
      settings('outlook', {
        kind: 'graph',
        personId: 'upn',
        target: t.graphBase,
        credentials: { clientId: 'bench', clientSecret: 'graph-secret' },
        options: graphOptions,
      }),
    ],
    store: store.connectors,
    outbox: store.outbox,
    feed: store.schedules,
    worker,
    directory: () => directory,
    assignments: () => ASSIGNMENTS,
    zone: 'America/New_York',
    siteName: 'Bench',
    administrators: () => [],
    paging: { carriers: [], numbers: [] },
    now,
    log,
    poll: false,
  });
  const people = ['p-ahmed', 'p-brennan'];
  const t0 = Date.now();
  // Allocated once, before the first memory point: the harness's own record does not grow with the run.
  const committedAt = new Float64Array(changes + steady);
  let next = 0;
  /** Commits `n` new shifts as one delta sync (n changes in the feed). */
  async function publish(n: number): Promise<void> {
    const shifts: Shift[] = [];
    for (let i = 0; i < n; i++, next++) {
      shifts.push({
        id: `b${next}`,
        sourceKey: `b${next}`,
        assignmentId: 'hospitalist',
        personId: people[next % 2],
        start: new Date(t0 + next * 3_600_000),
        end: new Date(t0 + next * 3_600_000 + 1_800_000),
        callOrder: 1,
        notes: '',
        published: true,
        source: 'bench',
      });
    }
    await store.schedules.applySync({
      source: 'bench',
      scope: { kind: 'delta', deletedKeys: [] },
      shifts,
      actor: 'bench',
      now: new Date(),
    });
    await store.durable();
    const at = clock();
    committedAt.fill(at, next - n, next);
  }
  /** Runs the worker by hand until the targets hold `want` (the backlog phase, no timers). */
  async function deliverUntil(want: Counts): Promise<Counts> {
    let reached: Counts | undefined;
    let failed: Error | undefined;
    ask<Counts>(targets.port, 'GET', `/wait?a=${want.a}&b=${want.b}&g=${want.g}`).then(
      (r) => {
        reached = r;
      },
      (err: Error) => {
        failed = err;
      },
    );
    while (!reached) {
      if (failed) throw failed;
      const n = await worker.runDue();
      if (n === 0) await sleep(5);
    }
    return reached;
  }

  let stopped = false;
  const stopSwitchboard = async () => {
    if (stopped) return;
    stopped = true;
    await connectors.stop();
    await worker.stop();
  };

  try {
    // First run on an empty schedule: each connector's cursor starts at the feed's end.
    await connectors.cycle.tick();
    const memorySeries = new MemorySeries();
    /**
     * Beside each point, the data folder's size (SQLite's page cache, up to 64 MB, grows in RSS with it)
     * and the deliveries committed but not yet at their targets (work in flight holds memory too).
     */
    const beside: Array<{ dbMb: number; behind: number }> = [];
    const memory = {
      points: memorySeries.points,
      async take(label: string): Promise<MemoryPoint> {
        const point = memorySeries.take(label);
        let bytes = 0;
        for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
        const held = await ask<Counts>(targets.port, 'GET', '/counts');
        beside.push({ dbMb: bytes / 1048576, behind: 3 * next - held.a - held.b - held.g });
        return point;
      },
    };
    await memory.take('start');

    // Backlog: the changes committed while the connectors are stopped.
    for (let i = 0; i < changes; i += 100) await publish(Math.min(100, changes - i));
    const backlogStart = clock();
    await connectors.cycle.tick();
    const doneAt = await deliverUntil({ a: changes, b: changes, g: changes });
    const backlogMs = Math.max(doneAt.a, doneAt.b, doneAt.g) - backlogStart;
    await memory.take('after the backlog');

    // The bare client: the same requests, replayed from this process in the same shape (one stream per
    // target, in order), against the same targets in their own process.
    let recorded: RecordedRequests | undefined = await ask<RecordedRequests>(
      targets.port,
      'POST',
      '/take-recorded',
    );
    const replayStart = performance.now();
    // In groups of WEBHOOK_CONCURRENCY at once, as the worker sends them.
    const replayHook = async (url: string, requests: RecordedRequests['hookA']) => {
      for (let k = 0; k < requests.length; k += WEBHOOK_CONCURRENCY)
        await Promise.all(
          requests.slice(k, k + WEBHOOK_CONCURRENCY).map(async (r) => {
            const res = await fetch(url, {
              method: 'POST',
              headers: { ...r.headers, 'x-replay': '1' },
              body: r.body,
            });
            await res.text();
          }),
        );
    };
    const replayGraph = async (requests: RecordedRequests['graph']) => {
      for (const r of requests)
        await (
          await fetch(`${t.graphBase.replace('/v1.0', '')}${r.path}`, {
            method: 'POST',
            headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
            body: r.body,
          })
        ).text();
    };
    await Promise.all([
      replayHook(t.hookA, recorded.hookA),
      replayHook(t.hookB, recorded.hookB),
      replayGraph(recorded.graph),
    ]);
    const replayMs = performance.now() - replayStart;
    recorded = undefined;

    // Steady: changes at a steady rate, the connectors on their production timers.
    const snapshot = (name: string) => {
      const folder = values['heap-snapshots'];
      if (folder) console.log(`heap snapshot: ${writeHeapSnapshot(join(folder, `${name}.heapsnapshot`))}`);
    };
    snapshot('steady-start');
    const before = await ask<Counts>(targets.port, 'POST', '/steady');
    worker.start(1000);
    connectors.cycle.start(cycleMs);
    const steadyStart = performance.now();
    const steadyPoints: MemoryPoint[] = [await memory.take('steady 0 s')];
    let nextSampleS = sampleEveryS;
    const perSync = Math.max(1, Math.round(rate / 20));
    for (let sent = 0; sent < steady; sent += perSync) {
      await publish(Math.min(perSync, steady - sent));
      const due = steadyStart + ((sent + perSync) / rate) * 1000;
      await sleep(Math.max(0, due - performance.now()));
      if (performance.now() - steadyStart >= nextSampleS * 1000 - 1) {
        steadyPoints.push(await memory.take(`steady ${nextSampleS} s`));
        nextSampleS += sampleEveryS;
      }
    }
    await ask<Counts>(
      targets.port,
      'GET',
      `/wait?a=${before.a + steady}&b=${before.b + steady}&g=${before.g + steady}`,
    );
    const drainedS = (performance.now() - steadyStart) / 1000;
    steadyPoints.push(await memory.take(`drained (${drainedS.toFixed(0)} s)`));
    snapshot('drained');
    await stopSwitchboard();

    const arrivals = await ask<Arrivals>(targets.port, 'GET', '/arrivals');
    const latencies = (items: Array<[number, number]>) =>
      items
        .filter(([n]) => n >= changes && n < changes + steady)
        .map(([n, at]) => at - committedAt[n])
        .sort((x, y) => x - y);
    const rows = [
      ['webhook A', latencies(arrivals.a)],
      ['webhook B', latencies(arrivals.b)],
      ['Graph ($batch)', latencies(arrivals.g)],
    ] as const;

    const connectorRate = (3 * changes) / (backlogMs / 1000);
    const bareRate = (3 * changes) / (replayMs / 1000);
    console.log(`\nbacklog: ${changes} changes x 3 connectors (2 webhooks, 1 Graph calendar)\n`);
    console.log(
      formatTable(
        [
          { title: 'sender' },
          { title: 'deliveries', align: 'right' },
          { title: 'ms', align: 'right' },
          { title: 'deliveries/s', align: 'right' },
          { title: 'vs bare', align: 'right' },
        ],
        [
          [
            'connectors (feed, plan, outbox, worker)',
            3 * changes,
            formatMs(backlogMs),
            formatRate(connectorRate),
            formatRatio(connectorRate, bareRate),
          ],
          [
            'bare fetch replay of the same requests',
            3 * changes,
            formatMs(replayMs),
            formatRate(bareRate),
            '1.00x',
          ],
        ],
      ),
    );
    console.log(
      `\nlast delivery of each connector: webhook A ${formatMs(doneAt.a - backlogStart)} ms, webhook B ${formatMs(doneAt.b - backlogStart)} ms, Graph ${formatMs(doneAt.g - backlogStart)} ms`,
    );
    console.log(
      `\nsteady: ${steady} changes at ${rate}/s for ${durationS} s, feed read every ${cycleMs} ms; commit -> target request\n`,
    );
    console.log(
      formatTable(
        [
          { title: 'target' },
          { title: 'requests', align: 'right' },
          { title: 'p50 ms', align: 'right' },
          { title: 'p99 ms', align: 'right' },
          { title: 'max ms', align: 'right' },
        ],
        rows.map(([name, l]) => [
          name,
          l.length,
          formatMs(percentile(l, 50)),
          formatMs(percentile(l, 99)),
          formatMs(l[l.length - 1]),
        ]),
      ),
    );
    console.log(`\nSwitchboard's memory (this process; the targets run in child pid ${targets.pid})\n`);
    console.log(
      formatTable(
        [
          { title: 'point' },
          { title: 's', align: 'right' },
          { title: 'heap MB after GC', align: 'right' },
          { title: 'rss MB', align: 'right' },
          { title: 'external MB', align: 'right' },
          { title: 'db MB', align: 'right' },
          { title: 'undelivered', align: 'right' },
        ],
        memory.points.map((p, i) => [
          p.label,
          (p.atMs / 1000).toFixed(0),
          p.heapMb.toFixed(1),
          p.rssMb.toFixed(0),
          p.externalMb.toFixed(1),
          beside[i].dbMb.toFixed(0),
          beside[i].behind,
        ]),
      ),
    );
    const first = steadyPoints[0];
    const last = steadyPoints[steadyPoints.length - 1];
    const heapSlope = slopePerMinute(steadyPoints, (p) => p.heapMb);
    const rssSlope = slopePerMinute(steadyPoints, (p) => p.rssMb);
    console.log(
      `\nheap after GC over the steady phase: start ${first.heapMb.toFixed(1)} MB, end ${last.heapMb.toFixed(1)} MB, slope ${heapSlope.toFixed(2)} MB/min (${steadyPoints.length} points, least squares)`,
    );
    console.log(
      `rss over the steady phase: start ${first.rssMb.toFixed(0)} MB, end ${last.rssMb.toFixed(0)} MB, slope ${rssSlope.toFixed(1)} MB/min\n`,
    );
    console.log(
      formatTargets([
        {
          label: 'connectors >= 0.8x the bare client',
          measured: connectorRate / bareRate,
          threshold: 0.8,
          unit: 'x',
        },
        {
          // 1 MB/min at 100 changes/s is 175 bytes a change: a Map entry kept per shift would show.
          label: 'memory flat: heap after GC grows <= 1 MB/min over the steady phase',
          measured: heapSlope,
          threshold: 1,
          direction: 'at-most',
          unit: 'MB/min',
          format: (v) => v.toFixed(2),
        },
      ]),
    );
  } finally {
    await stopSwitchboard();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await targets.stop().catch(() => targets.kill());
  }
}
