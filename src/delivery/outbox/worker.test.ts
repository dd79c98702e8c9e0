import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteOutbox } from './outbox.ts';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  type DeliveryOutcome,
  DeliveryWorker,
  PermanentDeliveryError,
} from './worker.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(sender: (payload: unknown) => Promise<string>) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-outbox-'));
  dirs.push(dir);
  let t = Date.parse('2026-11-22T10:00:00Z');
  const clock = { now: () => new Date(t), advance: (ms: number) => (t += ms) };
  const outbox = new SqliteOutbox(dir);
  const outcomes: DeliveryOutcome[] = [];
  const worker = new DeliveryWorker({
    outbox,
    senders: { test: (d) => sender(d.payload) },
    now: clock.now,
    log: pino({ level: 'silent' }),
    backoff: { firstDelayMs: 1000, factor: 2, maxDelayMs: 3000, maxAttempts: 4 },
    onOutcome: (_d, o) => {
      outcomes.push(o);
    },
  });
  return { dir, clock, outbox, worker, outcomes };
}

describe('DeliveryWorker', () => {
  it('sends a due delivery once and records the answer', async () => {
    const seen: unknown[] = [];
    const { worker, outbox, outcomes } = setup(async (p) => {
      seen.push(p);
      return 'accepted 42';
    });
    const d = await worker.enqueue({ channel: 'test', target: 't', payload: { n: 1 }, alertId: 7 });
    expect(await worker.runDue()).toBe(1);
    expect(await worker.runDue()).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
    expect(await outbox.get(d.id)).toMatchObject({ state: 'sent', attempts: 1, result: 'accepted 42' });
    expect(outcomes).toEqual([{ kind: 'sent', result: 'accepted 42' }]);
  });

  it('retries with backoff and dead-letters with the error after the last attempt', async () => {
    const { worker, outbox, outcomes, clock } = setup(async () => {
      throw new Error('carrier unreachable');
    });
    const d = await worker.enqueue({ channel: 'test', target: 't', payload: {}, alertId: null });
    await worker.runDue();
    expect(await outbox.get(d.id)).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'carrier unreachable',
    });
    expect(await worker.runDue()).toBe(0); // not due before its backoff
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const next = (await outbox.nextDue())!;
      delays.push(next.getTime() - clock.now().getTime());
      clock.advance(next.getTime() - clock.now().getTime());
      await worker.runDue();
    }
    expect(delays).toEqual([1000, 2000, 3000]);
    expect(await outbox.get(d.id)).toMatchObject({
      state: 'dead',
      attempts: 4,
      lastError: 'carrier unreachable',
    });
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'retry', 'dead']);
    expect(await outbox.list({ state: 'dead' })).toHaveLength(1);
  });

  it('dead-letters at once when the sender says retrying cannot help', async () => {
    const { worker, outbox } = setup(async () => {
      throw new PermanentDeliveryError('403 unknown pager');
    });
    const d = await worker.enqueue({ channel: 'test', target: 't', payload: {}, alertId: null });
    await worker.runDue();
    expect(await outbox.get(d.id)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: '403 unknown pager',
    });
  });

  it('keeps pending deliveries across a restart', async () => {
    const first = setup(async () => {
      throw new Error('down');
    });
    await first.worker.enqueue({ channel: 'test', target: 't', payload: { n: 2 }, alertId: null });
    first.outbox.close();
    const reopened = new SqliteOutbox(first.dir);
    const sent: unknown[] = [];
    const worker = new DeliveryWorker({
      outbox: reopened,
      senders: {
        test: async (d) => {
          sent.push(d.payload);
          return 'ok';
        },
      },
      now: () => new Date('2026-11-22T10:00:00Z'),
      log: pino({ level: 'silent' }),
    });
    await worker.runDue();
    expect(sent).toEqual([{ n: 2 }]);
    reopened.close();
  });

  it('computes capped exponential delays', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([
      5000, 15000, 45000, 135000, 405000, 600000,
    ]);
  });
});
