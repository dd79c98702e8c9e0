/**
 * Escalation timer lateness with N pending timers shared by several instances (bench/cluster.ts): each
 * "instance" is a store of its own on the one database, running the engine's cycle as EscalationEngine
 * does (dueTimers, then the step's next timer) every `cycleMs`. Timers fall due spread over `spreadMs`.
 * Measured: how late each step ran after its due time, and whether any ran twice or never. The single
 * SQLite store does the same in the same run as the baseline.
 */
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

export async function timerLateness(
  label: string,
  stores: Store[],
  timers: number,
  options: { spreadMs: number; cycleMs: number },
): Promise<TimerCell> {
  const [first] = stores;
  const start = Date.now() + 2000;
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
        createdAt: new Date(start - 60_000),
      },
      {
        policy,
        ruleRecipients: [],
        nextStep: 0,
        pass: 0,
        dueAt: new Date(start + Math.floor((i * options.spreadMs) / timers)),
      },
    );
    ids.push(created.id);
  }
  await first.durable();
  const firedAt = new Map<number, number>();
  const late: number[] = [];
  let twice = 0;
  const until = start + options.spreadMs + 5000;
  const cycle = async (store: Store) => {
    while (Date.now() < until && firedAt.size < timers) {
      const now = new Date();
      for (const t of await store.alerts.dueTimers(now, 500)) {
        const ran = Date.now();
        if (firedAt.has(t.alertId)) twice++;
        firedAt.set(t.alertId, ran);
        late.push(ran - t.dueAt.getTime());
        await store.alerts.setTimer({ ...t, nextStep: 1, dueAt: new Date(ran + 86_400_000) });
      }
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
