/**
 * Schedule changes fanned out to three connectors at local targets: two signed webhooks and a Microsoft
 * Graph calendar (the test suite's fake Graph, its per-item delay off). Two phases, one process:
 *
 * - backlog: N shift changes committed to the change feed while the connectors are stopped, then the
 *   connectors started and timed until every target has every delivery (feed read, planning, outbox
 *   writes, the worker, signing, $batch). Next to it, in the same run, the bare HTTP client: the very
 *   requests the targets recorded, replayed with fetch in the same shape (one stream per target, each in
 *   order, webhooks 4 at a time as the worker sends them), as deliveries per second. Target: connectors >= 0.8x the bare client.
 * - steady: changes committed at a steady rate with the connectors running on their production timers
 *   (cycle every --cycle-ms, the worker woken by each commit); latency from a change's commit to the
 *   target's receipt of its request, p50/p99 per target.
 *
 * Memory (RSS and heap after a GC when --expose-gc is on) at the start and at the end.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
import { FakeGraph } from '../test/support/fake-graph.ts';
import { percentile } from './lib/latency.ts';
import { formatMs, formatRate, formatRatio, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'schedule changes fanned out to 2 webhooks and a Graph calendar: deliveries/s next to a bare fetch replay of the same requests; change → request latency p50/p99; memory';
export const usage = `  --changes 10000   shift changes in the backlog phase
  --steady 1000     changes in the steady phase
  --rate 100        changes per second in the steady phase
  --cycle-ms 2000   how often the connectors read the change feed (production default 2000)`;

/** Requests in flight at once per webhook, for the connectors and the bare replay alike. */
const WEBHOOK_CONCURRENCY = 4;

interface Received {
  at: number;
  shiftIds: string[];
}

/** A webhook receiver that records what arrived, and when; the replay sends the same requests. */
async function webhookTarget() {
  const received: Received[] = [];
  const recorded: Array<{ path: string; body: string; headers: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const at = performance.now();
      if (req.headers['x-replay'] === undefined) {
        const body = JSON.parse(text) as { shiftId: string };
        received.push({ at, shiftIds: [body.shiftId] });
        const headers: Record<string, string> = {};
        for (const h of [
          'content-type',
          'switchboard-signature',
          'switchboard-delivery',
          'switchboard-event',
        ])
          headers[h] = String(req.headers[h]);
        recorded.push({ path: req.url ?? '/', body: text, headers });
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { server, url, received, recorded };
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

function memory(): { rssMb: number; heapMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMb: m.rss / 1048576, heapMb: m.heapUsed / 1048576 };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      changes: { type: 'string', default: '10000' },
      steady: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '100' },
      'cycle-ms': { type: 'string', default: '2000' },
    },
  });
  const changes = Number(values.changes);
  const steady = Number(values.steady);
  const rate = Number(values.rate);
  const cycleMs = Number(values['cycle-ms']);
  const memStart = memory();

  const hookA = await webhookTarget();
  const hookB = await webhookTarget();
  const graph = await new FakeGraph().listen();
  graph.itemDelayMs = 0;
  graph.recorded = [];
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-connectors-'));
  const store = openSqliteStore(dir);
  await store.schedules.upsertAssignments(ASSIGNMENTS);
  const log = pino({ level: 'silent' });
  const now = () => new Date();
  const directory = new Directory(PEOPLE);
  const worker = new DeliveryWorker({ outbox: store.outbox, now, log, batch: 500 });
  const graphOptions: GraphOptions = {
    baseUrl: graph.baseUrl,
    tokenUrl: graph.tokenUrl,
    tenant: 't',
    showAs: 'busy',
    categories: [],
    siteName: 'Bench',
    timeoutMs: 10_000,
  };
  const connectors = installConnectors({
    settings: [
      settings('hook-a', { target: hookA.url }),
      settings('hook-b', { target: hookB.url }),
      settings('outlook', {
        kind: 'graph',
        personId: 'upn',
        target: graph.baseUrl,
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
  const committedAt = new Map<string, number>();
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
    const at = performance.now();
    for (const s of shifts) committedAt.set(s.id, at);
  }
  const graphDeliveries = () => graph.events.size;
  const delivered = () => hookA.received.length + hookB.received.length + graphDeliveries();

  // First run on an empty schedule: each connector's cursor starts at the feed's end.
  await connectors.cycle.tick();

  // Backlog: the changes committed while the connectors are stopped.
  for (let i = 0; i < changes; i += 100) await publish(Math.min(100, changes - i));
  const backlogStart = performance.now();
  await connectors.cycle.tick();
  const doneAt: Record<string, number> = {};
  while (delivered() < 3 * changes) {
    const n = await worker.runDue();
    if (n === 0) await new Promise((r) => setTimeout(r, 5));
    const t = performance.now() - backlogStart;
    if (hookA.received.length >= changes) doneAt.a ??= t;
    if (hookB.received.length >= changes) doneAt.b ??= t;
    if (graph.events.size >= changes) doneAt.g ??= t;
  }
  const backlogMs = performance.now() - backlogStart;

  // The bare client: the same requests, replayed in the same shape (one stream per target, in order).
  const graphRecorded = graph.recorded.filter((r) => r.path.endsWith('/$batch'));
  graph.recorded = undefined;
  const replayStart = performance.now();
  // In groups of WEBHOOK_CONCURRENCY at once, as the worker sends them.
  const replayHook = async (t: typeof hookA) => {
    for (let k = 0; k < t.recorded.length; k += WEBHOOK_CONCURRENCY)
      await Promise.all(
        t.recorded.slice(k, k + WEBHOOK_CONCURRENCY).map(async (r) => {
          const res = await fetch(t.url, {
            method: 'POST',
            headers: { ...r.headers, 'x-replay': '1' },
            body: r.body,
          });
          await res.text();
        }),
      );
  };
  const replayGraph = async () => {
    for (const r of graphRecorded)
      await (
        await fetch(`${graph.baseUrl.replace('/v1.0', '')}${r.path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer token-1', 'content-type': 'application/json' },
          body: r.body,
        })
      ).text();
  };
  await Promise.all([replayHook(hookA), replayHook(hookB), replayGraph()]);
  const replayMs = performance.now() - replayStart;

  // Steady: changes at a steady rate, the connectors on their production timers.
  const before = { a: hookA.received.length, b: hookB.received.length, g: graph.events.size };
  const graphAt = new Map<string, number>();
  graph.recorded = [];
  worker.start(1000);
  connectors.cycle.start(cycleMs);
  const steadyStart = performance.now();
  const perSync = Math.max(1, Math.round(rate / 20));
  for (let sent = 0; sent < steady; sent += perSync) {
    await publish(Math.min(perSync, steady - sent));
    const due = steadyStart + ((sent + perSync) / rate) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
  while (
    hookA.received.length - before.a < steady ||
    hookB.received.length - before.b < steady ||
    graph.events.size - before.g < steady
  )
    await new Promise((r) => setTimeout(r, 20));
  for (const r of graph.recorded ?? []) {
    if (!r.path.endsWith('/$batch')) continue;
    for (const m of r.body.matchAll(/"value":"outlook:(b\d+)"/g))
      if (!graphAt.has(m[1])) graphAt.set(m[1], r.at);
  }
  const latencies = (items: Array<[string, number]>) =>
    items
      .filter(([id]) => Number(id.slice(1)) >= changes)
      .map(([id, at]) => at - (committedAt.get(id) ?? at))
      .sort((x, y) => x - y);
  const hookLatency = (t: typeof hookA) =>
    latencies(t.received.flatMap((r) => r.shiftIds.map((id) => [id, r.at] as [string, number])));
  const rows = [
    ['webhook A', hookLatency(hookA)],
    ['webhook B', hookLatency(hookB)],
    ['Graph ($batch)', latencies([...graphAt])],
  ] as const;

  await connectors.stop();
  await worker.stop();
  const memEnd = memory();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  hookA.server.close();
  hookB.server.close();
  graph.close();

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
    `\nlast delivery of each connector: webhook A ${formatMs(doneAt.a ?? Number.NaN)} ms, webhook B ${formatMs(doneAt.b ?? Number.NaN)} ms, Graph ${formatMs(doneAt.g ?? Number.NaN)} ms`,
  );
  console.log(
    `\nsteady: ${steady} changes at ${rate}/s, feed read every ${cycleMs} ms; commit -> target request\n`,
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
  console.log(
    `\nmemory: rss ${memStart.rssMb.toFixed(0)} MB -> ${memEnd.rssMb.toFixed(0)} MB, heap ${memStart.heapMb.toFixed(0)} MB -> ${memEnd.heapMb.toFixed(0)} MB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: heap without a GC)'}\n`,
  );
  console.log(
    formatTargets([
      {
        label: 'connectors >= 0.8x the bare client',
        measured: connectorRate / bareRate,
        threshold: 0.8,
        unit: 'x',
        format: (v) => v.toFixed(2),
      },
    ]),
  );
}
