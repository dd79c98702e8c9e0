/**
 * Escalation steps run by the real engine: `instances` stores (one, or several on one PostgreSQL), each
 * with its own EscalationEngine and RoutingCycle as a server wires them, and N alerts whose first step falls
 * due at a time spread over a window. Measured per step: how late the notification port heard of it after
 * its stored due time, and whether a step was heard twice or never. Only the recipient resolver is a
 * stand-in (one person per alert); the store, claims, timeline and notices are the real ones.
 */
import pino from 'pino';
import { AlertLocks } from '../../src/routing/alert-locks.ts';
import { systemClock } from '../../src/routing/clock.ts';
import { EscalationEngine } from '../../src/routing/escalation.ts';
import type { NotificationPort } from '../../src/routing/notifications.ts';
import type { RecipientResolver } from '../../src/routing/recipient-resolver.ts';
import type { Router } from '../../src/routing/router.ts';
import { RoutingCycle } from '../../src/routing/routing-cycle.ts';
import type { EscalationPolicy } from '../../src/routing/rules/types.ts';
import type { Store } from '../../src/store/port.ts';
import { LatencySamples } from './latency.ts';

const DAY_MINUTES = 1_440;

/** One step naming the alert's own person, then a day's wait: each alert's step falls due once. */
const policy: EscalationPolicy = {
  id: 'bench',
  steps: [{ delayMinutes: 0, atMinute: 0, targets: [{ kind: 'ruleRecipients', at: { file: '', key: '' } }] }],
  repeat: 0,
  waitAfterLastStepMinutes: DAY_MINUTES,
  roundMinutes: DAY_MINUTES,
  failsafe: [],
  at: { file: 'bench', key: 'bench' },
};

export interface EscalationRunResult {
  late: LatencySamples;
  /** Steps the notification port heard of more than once. */
  twice: number;
  /** Steps never heard of by the end of the window and its grace. */
  never: number;
  /** This process's CPU from the cycles' start to the last step, in microseconds. */
  cpuUs: number;
  /** What `watch` counted over the same time (another process's CPU), if given. */
  watchedUs?: number;
}

export interface EscalationRunOptions {
  count: number;
  windowMs: number;
  /** The routing cycle's safety-net poll (routing.cycleMs). */
  pollMs: number;
  /** false: each instance polls every pollMs and nothing else (no alarm at the earliest step). */
  wakeUp?: boolean;
  /** How long after the window a step may still arrive before it counts as never. */
  graceMs?: number;
  /** Time allowed to set the timers to their due times before the first falls due. */
  leadMs?: number;
  /** Started with the cycles and stopped after the last step: the CPU of another process, say. */
  watch?: () => { stop(): number };
}

/** Due times spread evenly over the window from `start`, in a shuffled order. */
function dueTimes(count: number, windowMs: number, start: number): number[] {
  const times = Array.from({ length: count }, (_, i) => start + Math.floor((i * windowMs) / count));
  for (let i = times.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [times[i], times[j]] = [times[j], times[i]];
  }
  return times;
}

/**
 * Runs the steps on every instance at once. The alerts are made first with their timers parked a day
 * ahead (making 10,000 alerts on PostgreSQL takes seconds, and steps due meanwhile would measure the
 * making), then the timers are moved to their due times, then the instances' cycles start.
 */
export async function escalationRun(
  instances: Store[],
  o: EscalationRunOptions,
): Promise<EscalationRunResult> {
  const [first] = instances;
  const log = pino({ level: 'silent' });
  const parked = new Date(Date.now() + DAY_MINUTES * 60_000);
  const ids: number[] = [];
  for (let i = 0; i < o.count; i += 50)
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, o.count - i) }, async (_, j) => {
          const alert = await first.alerts.create(
            {
              messageId: null,
              source: 'bench',
              ruleId: 'bench',
              title: `bench ${i + j}`,
              body: '',
              priority: 'urgent',
              patient: null,
              dedupKey: null,
              context: {},
              createdAt: new Date(),
            },
            { policy, ruleRecipients: `p-${i + j}`, nextStep: 0, pass: 0, dueAt: parked },
          );
          return alert.id;
        }),
      )),
    );

  const lead = o.leadMs ?? 8_000;
  const times = dueTimes(o.count, o.windowMs, Date.now() + lead);
  const dueOf = new Map<number, number>();
  for (let i = 0; i < o.count; i += 50)
    await Promise.all(
      ids.slice(i, i + 50).map((alertId, j) => {
        dueOf.set(alertId, times[i + j]);
        return first.alerts.setTimer({
          alertId,
          policy,
          ruleRecipients: `p-${i + j}`,
          nextStep: 0,
          pass: 0,
          dueAt: new Date(times[i + j]),
        });
      }),
    );
  await first.durable();
  if (Date.now() >= Math.min(...times))
    throw new Error(`setting ${o.count} timers took longer than the ${lead} ms lead`);

  const late = new LatencySamples(o.count);
  const heard = new Set<number>();
  let twice = 0;
  let allHeard: () => void = () => {};
  const finished = new Promise<void>((r) => {
    allHeard = r;
  });
  const notifier: NotificationPort = {
    notify: (_person, alert) => {
      const due = dueOf.get(alert.id);
      if (due === undefined) return;
      if (heard.has(alert.id)) {
        twice++;
        return;
      }
      heard.add(alert.id);
      late.add(Date.now() - due);
      if (heard.size === o.count) allHeard();
    },
    changed: () => {},
  };
  const resolver = {
    resolveAll: async (_specs: unknown, ctx: { ruleRecipients?: unknown }) => ({
      recipients: [{ personId: String(ctx.ruleRecipients), reason: 'bench' }],
      notes: [],
    }),
  } as unknown as RecipientResolver;
  const router = { flushBatches: async () => {} } as unknown as Router;

  const cpuAtStart = process.cpuUsage();
  const watching = o.watch?.();
  const running = instances.map((store) => {
    const engine = new EscalationEngine(store.alerts, resolver, notifier, systemClock, log, new AlertLocks());
    if (o.wakeUp === false) {
      let busy = false;
      const poll = setInterval(() => {
        if (busy) return;
        busy = true;
        void engine.tick().finally(() => {
          busy = false;
        });
      }, o.pollMs);
      return { stop: async () => clearInterval(poll) };
    }
    const cycle = new RoutingCycle(engine, router, log, o.pollMs);
    cycle.start();
    return cycle;
  });
  // The cycles' timers do not hold the process open (a server's sockets do); this stands in for them.
  const keepAlive = setInterval(() => {}, 1_000);
  const lastDue = Math.max(...times);
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise<void>((r) => {
      deadline = setTimeout(r, lastDue - Date.now() + (o.graceMs ?? 10_000));
    }),
  ]);
  clearTimeout(deadline);
  const cpu = process.cpuUsage(cpuAtStart);
  const watchedUs = watching?.stop();
  clearInterval(keepAlive);
  for (const r of running) await r.stop();
  return { late, twice, never: o.count - heard.size, cpuUs: cpu.user + cpu.system, watchedUs };
}
