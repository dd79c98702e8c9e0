/**
 * Escalation timer lateness: how long after its due time an escalation step reaches the clinician's
 * notification port, with 10,000 timers pending in the store, next to a bare `setTimeout` for the same due
 * times in the same run. Three rows: the bare timers; the routing cycle as it runs (woken at the earliest
 * due timer, polling as a safety net); and the poll alone (every `--poll-ms`), which is what a cycle without
 * the wake-up gives. Target: p99 <= 50 ms and max <= 200 ms with 10,000 pending timers.
 *
 * The engine is the real one over the real SQLite store (lib/escalation-run.ts: group commit, timeline and
 * notices written before the notification); only the recipient resolver is a stand-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Store } from '../src/store/port.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { escalationRun } from './lib/escalation-run.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'escalation step lateness (due → notified) p50/p99/max with 10,000 pending timers, next to bare setTimeout and to the 1 s poll alone';
export const usage = `  --timers 10000       timers pending in the store, each falling due once during the run
  --seconds 20         the window their due times are spread over (uniformly)
  --poll-ms 1000       the routing cycle's safety-net poll (routing.cycleMs)
  --no-poll-only       skip the poll-only row (saves one window)`;

const LEAD_MS = 2_000;

async function bareSetTimeout(count: number, windowMs: number): Promise<LatencySamples> {
  const samples = new LatencySamples(count);
  const start = Date.now() + LEAD_MS;
  await new Promise<void>((done) => {
    let left = count;
    for (let i = 0; i < count; i++) {
      const due = start + Math.floor((i * windowMs) / count);
      setTimeout(
        () => {
          samples.add(Date.now() - due);
          if (--left === 0) done();
        },
        Math.max(0, due - Date.now()),
      );
    }
  });
  return samples;
}

/** Lateness of each step from its stored due time to the moment the notification port hears of it. */
async function sqliteRun(count: number, windowMs: number, pollMs: number, wakeUp: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-escalation-'));
  const store: Store = openSqliteStore(dir);
  try {
    const result = await escalationRun([store], { count, windowMs, pollMs, wakeUp });
    if (result.twice || result.never)
      console.log(`  steps heard twice: ${result.twice}, never: ${result.never}`);
    return result.late;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      timers: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '20' },
      'poll-ms': { type: 'string', default: '1000' },
      'no-poll-only': { type: 'boolean', default: false },
    },
  });
  const count = Number(values.timers);
  const windowMs = Number(values.seconds) * 1000;
  const pollMs = Number(values['poll-ms']);
  console.log(
    `escalation: ${count.toLocaleString('en-US')} timers due over ${values.seconds} s (${Math.round(count / (windowMs / 1000))}/s), poll every ${pollMs} ms\n`,
  );

  const rows: Array<[string, ReturnType<LatencySamples['summary']>]> = [];
  rows.push(['bare setTimeout (baseline)', (await bareSetTimeout(count, windowMs)).summary()]);
  const woken = (await sqliteRun(count, windowMs, pollMs, true)).summary();
  rows.push(['routing cycle: wake-up + poll', woken]);
  if (!values['no-poll-only'])
    rows.push([`poll alone every ${pollMs} ms`, (await sqliteRun(count, windowMs, pollMs, false)).summary()]);

  console.log(
    formatTable(
      [
        { title: 'timers fired by' },
        { title: 'count', align: 'right' },
        { title: 'p50 ms', align: 'right' },
        { title: 'p99 ms', align: 'right' },
        { title: 'max ms', align: 'right' },
      ],
      rows.map(([name, s]) => [name, s.count, formatMs(s.p50Ms), formatMs(s.p99Ms), formatMs(s.maxMs)]),
    ),
  );
  console.log('\ntargets (routing cycle, with 10,000 pending timers):');
  console.log(
    formatTargets([
      {
        label: 'lateness p99 <= 50 ms',
        measured: woken.p99Ms,
        threshold: 50,
        direction: 'at-most',
        unit: 'ms',
        format: formatMs,
      },
      {
        label: 'lateness max <= 200 ms',
        measured: woken.maxMs,
        threshold: 200,
        direction: 'at-most',
        unit: 'ms',
        format: formatMs,
      },
    ]),
  );
}
