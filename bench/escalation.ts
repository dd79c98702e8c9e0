/**
 * Escalation timer lateness: how long after its due time an escalation step reaches the clinician's
 * notification port, with 10,000 timers pending in the store, next to a bare `setTimeout` for the same due
 * times in the same run. Three rows: the bare timers; the routing cycle as it runs (woken at the earliest
 * due timer, polling as a safety net); and the poll alone (every `--poll-ms`), which is what a cycle without
 * the wake-up gives. Target: p99 <= 50 ms and max <= 200 ms with 10,000 pending timers.
 *
 * The engine is the real one over the real SQLite store (group commit, timeline and notices written before
 * the notification); only the recipient resolver is a stand-in that names one person per alert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { AlertLocks } from '../src/routing/alert-locks.ts';
import { systemClock } from '../src/routing/clock.ts';
import { EscalationEngine } from '../src/routing/escalation.ts';
import type { NotificationPort } from '../src/routing/notifications.ts';
import type { RecipientResolver } from '../src/routing/recipient-resolver.ts';
import type { Router } from '../src/routing/router.ts';
import { RoutingCycle } from '../src/routing/routing-cycle.ts';
import type { EscalationPolicy } from '../src/routing/rules/types.ts';
import type { Store } from '../src/store/port.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';

export const about =
  'escalation step lateness (due → notified) p50/p99/max with 10,000 pending timers, next to bare setTimeout and to the 1 s poll alone';
export const usage = `  --timers 10000       timers pending in the store, each falling due once during the run
  --seconds 20         the window their due times are spread over (uniformly)
  --poll-ms 1000       the routing cycle's safety-net poll (routing.cycleMs)
  --no-poll-only       skip the poll-only row (saves one window)`;

const LEAD_MS = 2_000;
const DAY_MINUTES = 1_440;

/** One step naming the alert's own person, then a day's wait: each timer falls due once in the window. */
const policy: EscalationPolicy = {
  id: 'bench',
  steps: [{ delayMinutes: 0, atMinute: 0, targets: [{ kind: 'ruleRecipients', at: { file: '', key: '' } }] }],
  repeat: 0,
  waitAfterLastStepMinutes: DAY_MINUTES,
  roundMinutes: DAY_MINUTES,
  failsafe: [],
  at: { file: 'bench', key: 'bench' },
};

/** Due times spread evenly over the window, starting `LEAD_MS` from now, in a shuffled order. */
function dueTimes(count: number, windowMs: number): number[] {
  const start = Date.now() + LEAD_MS;
  const times = Array.from({ length: count }, (_, i) => start + Math.floor((i * windowMs) / count));
  for (let i = times.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [times[i], times[j]] = [times[j], times[i]];
  }
  return times;
}

async function bareSetTimeout(count: number, windowMs: number): Promise<LatencySamples> {
  const samples = new LatencySamples(count);
  await new Promise<void>((done) => {
    let left = count;
    for (const due of dueTimes(count, windowMs)) {
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
async function escalationRun(
  count: number,
  windowMs: number,
  pollMs: number,
  wakeUp: boolean,
): Promise<LatencySamples> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-escalation-'));
  const log = pino({ level: 'silent' });
  const store: Store = openSqliteStore(dir);
  const samples = new LatencySamples(count);
  const dueOf = new Map<number, number>();
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const notifier: NotificationPort = {
    notify: (_person, alert) => {
      const due = dueOf.get(alert.id);
      if (due === undefined) return;
      samples.add(Date.now() - due);
      dueOf.delete(alert.id);
      if (dueOf.size === 0) done();
    },
    changed: () => {},
  };
  const resolver = {
    resolveAll: async (_specs: unknown, ctx: { ruleRecipients?: unknown }) => ({
      recipients: [{ personId: String(ctx.ruleRecipients), reason: 'bench' }],
      notes: [],
    }),
  } as unknown as RecipientResolver;
  const engine = new EscalationEngine(store.alerts, resolver, notifier, systemClock, log, new AlertLocks());
  const router = { flushBatches: async () => {} } as unknown as Router;

  // Seed the pending timers first (before the cycle runs), as a restart with a full store would find them.
  const seeding = Date.now();
  const times = dueTimes(count, windowMs);
  await Promise.all(
    times.map(async (due, i) => {
      const alert = await store.alerts.create(
        {
          messageId: null,
          source: 'bench',
          ruleId: 'bench',
          title: `bench ${i}`,
          body: '',
          priority: 'urgent',
          patient: null,
          dedupKey: null,
          context: {},
          createdAt: new Date(),
        },
        { policy, ruleRecipients: `p-${i}`, nextStep: 0, pass: 0, dueAt: new Date(due) },
      );
      dueOf.set(alert.id, due);
    }),
  );
  const seeded = Date.now();
  console.log(`  seeded ${count.toLocaleString('en-US')} alerts with timers in ${seeded - seeding} ms`);
  const firstDue = Math.min(...times);
  if (seeded > firstDue)
    console.log(`  (seeding took until ${seeded - firstDue} ms after the first due time)`);

  let poll: NodeJS.Timeout | undefined;
  let cycle: RoutingCycle | undefined;
  if (wakeUp) {
    cycle = new RoutingCycle(engine, router, log, pollMs);
    cycle.start();
  } else {
    let running = false;
    poll = setInterval(() => {
      if (running) return;
      running = true;
      void engine.tick().finally(() => {
        running = false;
      });
    }, pollMs);
  }
  // The cycle's timers do not hold the process open (a server's sockets do); this stands in for them.
  const keepAlive = setInterval(() => {}, 1_000);
  await finished;
  clearInterval(keepAlive);
  if (poll) clearInterval(poll);
  await cycle?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return samples;
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
  const woken = (await escalationRun(count, windowMs, pollMs, true)).summary();
  rows.push(['routing cycle: wake-up + poll', woken]);
  if (!values['no-poll-only'])
    rows.push([
      `poll alone every ${pollMs} ms`,
      (await escalationRun(count, windowMs, pollMs, false)).summary(),
    ]);

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
