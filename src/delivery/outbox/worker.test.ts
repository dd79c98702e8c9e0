import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../../store/outbox-port.ts';
import type { Store } from '../../store/port.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  type DeliveryOutcome,
  DeliveryWorker,
  PermanentDeliveryError,
} from './worker.ts';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dir: string) {
  const store = openSqliteStore(dir);
  stores.push(store);
  return store;
}

function setup(
  sender: (payload: unknown) => Promise<string>,
  dir = mkdtempSync(join(tmpdir(), 'sb-outbox-')),
) {
  dirs.push(dir);
  let t = Date.parse('2026-11-22T10:00:00Z');
  const clock = { now: () => new Date(t), advance: (ms: number) => (t += ms) };
  const store = open(dir);
  const outbox = store.outbox;
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
  /** Queues a delivery and waits for its commit (the worker sends only committed rows). */
  const enqueue = async (d: NewDelivery) => {
    const stored = await worker.enqueue(d);
    await store.durable();
    return stored!;
  };
  return { dir, clock, store, outbox, worker, outcomes, enqueue };
}

describe('DeliveryWorker', () => {
  it('sends a due delivery once and records the answer', async () => {
    const seen: unknown[] = [];
    const { worker, outbox, outcomes, enqueue } = setup(async (p) => {
      seen.push(p);
      return 'accepted 42';
    });
    const d = await enqueue({ channel: 'test', target: 't', payload: { n: 1 }, alertId: 7 });
    expect(await worker.runDue()).toBe(1);
    expect(await worker.runDue()).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
    expect(await outbox.get(d.id)).toMatchObject({ state: 'sent', attempts: 1, result: 'accepted 42' });
    expect(outcomes).toEqual([{ kind: 'sent', result: 'accepted 42' }]);
  });

  it('retries with backoff and dead-letters with the error after the last attempt', async () => {
    const { worker, outbox, outcomes, clock, enqueue } = setup(async () => {
      throw new Error('carrier unreachable');
    });
    const d = await enqueue({ channel: 'test', target: 't', payload: {}, alertId: null });
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
    const { worker, outbox, enqueue } = setup(async () => {
      throw new PermanentDeliveryError('403 unknown pager');
    });
    const d = await enqueue({ channel: 'test', target: 't', payload: {}, alertId: null });
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
    await first.enqueue({ channel: 'test', target: 't', payload: { n: 2 }, alertId: null });
    await first.store.close();
    stores.splice(stores.indexOf(first.store), 1);
    const reopened = open(first.dir);
    const sent: unknown[] = [];
    const worker = new DeliveryWorker({
      outbox: reopened.outbox,
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
  });

  it('commits a notice before sending it, and a once-key writes one row', async () => {
    const seen: unknown[] = [];
    const { worker, outbox, store, dir } = setup(async (p) => {
      seen.push(p);
      return 'ok';
    });
    const once = { channel: 'test', target: 't', payload: { n: 3 }, alertId: 9, onceKey: 'a:9' };
    await worker.enqueue(once);
    expect(await worker.runDue()).toBe(1);
    // Committed before it was sent: another connection sees the row.
    const other = new Database(join(dir, 'switchboard.db'), { readonly: true });
    expect(other.prepare('SELECT COUNT(*) AS n FROM deliveries').get()).toEqual({ n: 1 });
    other.close();
    await worker.enqueue(once);
    await store.durable();
    expect(await worker.runDue()).toBe(0);
    expect(seen).toEqual([{ n: 3 }]);
    expect(await outbox.list({ alertId: 9 })).toHaveLength(1);
  });

  it('tries an immediate channel once committed, without polling, with the channel own backoff', async () => {
    const { worker, outbox, store, clock } = setup(async () => 'unused');
    const tries: number[] = [];
    worker.register('now', {
      send: async () => {
        tries.push(clock.now().getTime());
        throw new Error('busy');
      },
      immediate: true,
      backoff: { firstDelayMs: 7000, maxDelayMs: 60_000, maxAttempts: 2 },
    });
    const [d] = await outbox.add([{ channel: 'now', target: 'x', payload: {}, alertId: null }], clock.now());
    await store.durable();
    for (let i = 0; i < 50 && tries.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await worker.runDue();
    expect(tries).toHaveLength(1);
    const retry = (await outbox.get(d!.id))!;
    expect(retry.dueAt.getTime() - clock.now().getTime()).toBe(7000);
    clock.advance(7000);
    await worker.runDue();
    expect(await outbox.get(d!.id)).toMatchObject({ state: 'dead', attempts: 2 });
  });

  it('computes capped exponential delays', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([
      5000, 15000, 45000, 135000, 405000, 600000,
    ]);
  });
});
