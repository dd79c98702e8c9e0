import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscalationEngine } from './escalation.ts';
import type { Router } from './router.ts';
import { RoutingCycle } from './routing-cycle.ts';

const log = pino({ level: 'silent' });
const router = { flushBatches: async () => {} } as unknown as Router;

/**
 * An engine with one step due that its tick cannot run: it fails every time, or (on a cluster) another
 * instance holds its claim. `looked` is each tick's moment; the step stays due at `stuckAt`.
 */
function engineWithStuckStep(stuckAt: Date, later?: Date) {
  const ticks: Date[] = [];
  const engine = {
    whenTimerSet: () => {},
    tick: async () => {
      const at = new Date();
      ticks.push(at);
      return { taken: 0, tookAll: true, at };
    },
    nextDue: async (after?: Date) => {
      for (const due of [stuckAt, later]) if (due && (!after || due.getTime() > after.getTime())) return due;
      return undefined;
    },
  };
  return { engine: engine as unknown as EscalationEngine, ticks };
}

describe('RoutingCycle', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-22T14:30:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('does not spin on a due step its tick could not run: it looks again at the next poll', async () => {
    const { engine, ticks } = engineWithStuckStep(new Date(Date.now() - 1_000));
    const cycle = new RoutingCycle(engine, router, log, 1_000);
    cycle.start();
    await vi.advanceTimersByTimeAsync(2_500);
    await cycle.stop();
    // Two polls (at 1 s and 2 s) and the first ring for the step already due: not one tick per turn.
    expect(ticks.length).toBeLessThanOrEqual(3);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
  });

  it('still wakes for the next step after a stuck one, on time', async () => {
    const later = new Date(Date.now() + 300);
    const { engine, ticks } = engineWithStuckStep(new Date(Date.now() - 1_000), later);
    const cycle = new RoutingCycle(engine, router, log, 1_000);
    cycle.start();
    await vi.advanceTimersByTimeAsync(300);
    await cycle.stop();
    expect(ticks.map((t) => t.getTime())).toContain(later.getTime());
  });

  it('rings again at once when its tick took all it could and more may be due', async () => {
    let left = 3;
    const ticks: number[] = [];
    const engine = {
      whenTimerSet: () => {},
      tick: async () => {
        ticks.push(Date.now());
        left--;
        return { taken: 500, tookAll: left <= 0, at: new Date() };
      },
      nextDue: async (after?: Date) => (left > 0 || !after ? new Date(Date.now() - 1) : undefined),
    } as unknown as EscalationEngine;
    const cycle = new RoutingCycle(engine, router, log, 1_000);
    cycle.start();
    await vi.advanceTimersByTimeAsync(10);
    await cycle.stop();
    // A full page of due steps: the cycle goes on at once until the backlog is taken, then waits.
    expect(ticks.length).toBe(3);
  });
});
