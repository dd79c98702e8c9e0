/**
 * Escalation timer lateness with N pending timers shared by several instances (bench/cluster.ts): each
 * "instance" is a store of its own on the one database, running the engine's cycle as EscalationEngine
 * does (dueTimers, then the step's next timer, several alerts at once) every `cycleMs`. Timers fall due spread over `spreadMs`.
 * Measured: how late each step ran after its due time, and whether any ran twice or never. The single
 * SQLite store does the same in the same run as the baseline.
 */
import { eachAtMost } from '../../src/kit/at-most.ts';
import { STEPS_AT_ONCE } from '../../src/routing/escalation.ts';
import type { Store } from '../../src/store/port.ts';
import { percentile } from '../lib/latency.ts';

export interface TimerCell {
  label: string;
  fired: number;
  twice: number;
  never: number;
  p50: number;
  p99: number;
  max: number;
}

const policy = { id: 'bench', steps: [{ delayMinutes: 0 }] };

/** Time allowed for moving the timers to their due times before the first falls due. */
const SET_UP_MS = 8000;

export async function timerLateness(
  label: string,
  stores: Store[],
  timers: number,
  options: { spreadMs: number; cycleMs: number },
): Promise<TimerCell> {
  const [first] = stores;
  // Made in two passes: the alerts first, each timer parked a day ahead, then the timers moved to their
  // due times once the start is known. Making 10,000 alerts on PostgreSQL takes seconds, and timers due
  // meanwhile would measure the set-up, not the cycle.
  const parked = new Date(Date.now() + 86_400_000);
  const ids: number[] = [];
  for (let i = 0; i < timers; i++) {
    const created = await first.alerts.create(
      {
        messageId: null,
        source: 'bench',
        ruleId: 'bench',
        title: 'bench',
        body: '',
        priority: 'normal',
        patient: null,
        dedupKey: null,
        context: {},
        createdAt: new Date(),
      },
      { policy, ruleRecipients: [], nextStep: 0, pass: 0, dueAt: parked },
    );
    ids.push(created.id);
  }
  const start = Date.now() + SET_UP_MS;
  for (let i = 0; i < timers; i += 50)
    await Promise.all(
      ids.slice(i, i + 50).map((alertId, j) =>
        first.alerts.setTimer({
          alertId,
          policy,
          ruleRecipients: [],
          nextStep: 0,
          pass: 0,
          dueAt: new Date(start + Math.floor(((i + j) * options.spreadMs) / timers)),
        }),
      ),
    );
  await first.durable();
  if (Date.now() >= start) throw new Error(`moving ${timers} timers took longer than ${SET_UP_MS} ms`);
  const firedAt = new Map<number, number>();
  const late: number[] = [];
  let twice = 0;
  const until = start + options.spreadMs + 5000;
  const cycle = async (store: Store) => {
    while (Date.now() < until && firedAt.size < timers) {
      const now = new Date();
      await eachAtMost(await store.alerts.dueTimers(now, 500), STEPS_AT_ONCE, async (t) => {
        const ran = Date.now();
        if (firedAt.has(t.alertId)) twice++;
        firedAt.set(t.alertId, ran);
        late.push(ran - t.dueAt.getTime());
        await store.alerts.setTimer({ ...t, nextStep: 1, dueAt: new Date(ran + 86_400_000) });
      });
      await new Promise((r) => setTimeout(r, options.cycleMs));
    }
  };
  await Promise.all(stores.map(cycle));
  late.sort((a, b) => a - b);
  return {
    label,
    fired: firedAt.size,
    twice,
    never: ids.filter((id) => !firedAt.has(id)).length,
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: late[late.length - 1] ?? Number.NaN,
  };
}
