import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../store/outbox-port.ts';
import type { Store } from '../../store/port.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { DeliveryWorker, type ItemOutcome } from './worker.ts';

const T = Date.parse('2026-12-07T10:00:00Z');
let store: Store;
let dir: string;
afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(batch = 100) {
  dir = mkdtempSync(join(tmpdir(), 'sb-worker-share-'));
  store = openSqliteStore(dir);
  let t = T;
  const clock = { now: () => new Date(t), advance: (ms: number) => (t += ms) };
  const worker = new DeliveryWorker({
    outbox: store.outbox,
    now: clock.now,
    log: pino({ level: 'silent' }),
    batch,
  });
  const add = async (target: string, n: number, channel = 'c') => {
    await store.outbox.add(
      Array.from({ length: n }, (_, i) => ({ channel, target, payload: { i }, alertId: null })),
      clock.now(),
    );
    await store.durable();
  };
  return { worker, clock, add };
}

describe('DeliveryWorker: shares, Retry-After, permanent errors, many at once', () => {
  it('with a per-target share, a long backlog of one target does not hold up another', async () => {
    const { worker, add } = setup(4);
    worker.limitPerTarget(2);
    const order: string[] = [];
    worker.register('c', {
      send: async (d) => {
        order.push(d.target);
        return 'ok';
      },
    });
    await add('busy', 10);
    await add('quiet', 1);
    expect(await worker.runDue()).toBe(11);
    // The quiet target's one delivery goes in the first pass, not after the ten.
    expect(order.indexOf('quiet')).toBeLessThan(3);
    expect(order.filter((t) => t === 'busy')).toHaveLength(10);
  });

  it("waits the receiver's Retry-After when it is longer than the backoff; a permanent flag dead-letters at once", async () => {
    const { worker, clock, add } = setup();
    worker.register('c', {
      backoff: { firstDelayMs: 1000, maxAttempts: 5 },
      send: async (d) => {
        const e = Object.assign(
          new Error((d.payload as { i: number }).i === 0 ? 'throttled' : 'no such user'),
          {
            retryAfterMs: 30_000,
            permanent: (d.payload as { i: number }).i === 1,
          },
        );
        throw e;
      },
    });
    await add('t', 2);
    await worker.runDue();
    const [pending] = await store.outbox.list({ state: 'pending' });
    expect(pending.dueAt.getTime() - clock.now().getTime()).toBe(30_000);
    const [dead] = await store.outbox.list({ state: 'dead' });
    expect(dead.lastError).toBe('no such user');
  });

  it('sends many at once within the per-target cap, each item with its own outcome', async () => {
    const { worker, add } = setup();
    const requests: string[][] = [];
    worker.register('m', {
      send: async () => 'single',
      backoff: { maxAttempts: 3 },
      sendMany: {
        max: 5,
        perTarget: 2,
        send: async (ds: readonly Delivery[]): Promise<ItemOutcome[]> => {
          requests.push(ds.map((d) => d.target));
          return ds.map((d, i) =>
            i === 0 && requests.length === 1
              ? { ok: false, error: new Error(`busy ${d.id}`) }
              : { ok: true, result: 'ok' },
          );
        },
      },
    });
    await add('a', 4, 'm');
    await add('b', 1, 'm');
    await worker.runDue();
    for (const r of requests) {
      expect(r.length).toBeLessThanOrEqual(5);
      for (const t of ['a', 'b']) expect(r.filter((x) => x === t).length).toBeLessThanOrEqual(2);
    }
    expect(requests.flat()).toHaveLength(5);
    expect(await store.outbox.list({ state: 'sent' })).toHaveLength(4);
    expect(await store.outbox.list({ state: 'pending' })).toHaveLength(1);
  });

  it("a slow target does not hold up another target's later deliveries", async () => {
    // Two rows a read, so the quiet target's five need several reads while the slow one's first is out.
    const { worker, add } = setup(2);
    let quietSent = 0;
    let allQuietSent: () => void = () => {};
    const quietDone = new Promise<void>((resolve) => {
      allQuietSent = resolve;
    });
    worker.register('c', {
      send: async (d) => {
        if (d.target === 'slow') await quietDone;
        else if (++quietSent === 5) allQuietSent();
        return 'ok';
      },
    });
    await add('slow', 2);
    await add('quiet', 5);
    // Before lanes, each read's batch waited for its slowest send: this never finished.
    expect(await worker.runDue()).toBe(7);
    expect(quietSent).toBe(5);
  });

  it('a sendMany channel sends one request at a time, so a later version never overtakes the one before', async () => {
    const { worker, clock } = setup();
    let inRequest = 0;
    let mostAtOnce = 0;
    const arrived: number[] = [];
    worker.register('m', {
      send: async () => 'single',
      sendMany: {
        max: 2,
        perTarget: 2,
        send: async (ds: readonly Delivery[]): Promise<ItemOutcome[]> => {
          mostAtOnce = Math.max(mostAtOnce, ++inRequest);
          await new Promise((r) => setTimeout(r, 1));
          arrived.push(...ds.map((d) => (d.payload as { v: number }).v));
          inRequest--;
          return ds.map(() => ({ ok: true, result: 'ok' }));
        },
      },
    });
    for (let v = 1; v <= 6; v++) {
      await store.outbox.add(
        [{ channel: 'm', target: 'cal', payload: { v }, alertId: null, coalesceKey: `s${v % 2}` }],
        clock.now(),
      );
      await store.durable();
      // Each version commits while the one before may be in flight.
      void worker.runDue();
    }
    await worker.runDue();
    expect(mostAtOnce).toBe(1);
    const s0 = arrived.filter((v) => v % 2 === 0);
    const s1 = arrived.filter((v) => v % 2 === 1);
    expect(s0).toEqual([...s0].sort((a, b) => a - b));
    expect(s1).toEqual([...s1].sort((a, b) => a - b));
    expect(arrived.at(-1)! >= 5).toBe(true);
  });

  it('stop waits for the sends under way and leaves the rest pending for the next start', async () => {
    const { worker, add } = setup(4);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    worker.register('c', {
      send: async () => {
        started++;
        await gate;
        return 'ok';
      },
    });
    await add('t', 3);
    const running = worker.runDue();
    while (started === 0) await new Promise((r) => setTimeout(r, 1));
    const stopped = worker.stop();
    release();
    await stopped;
    await running;
    expect(started).toBe(1);
    expect(await store.outbox.list({ state: 'sent' })).toHaveLength(1);
    expect(await store.outbox.list({ state: 'pending' })).toHaveLength(2);
  });

  it('a polling worker under steady work keeps no waiter per commit or tick (lanes may not go idle for hours)', async () => {
    const { worker, add } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = 0;
    worker.register('c', {
      send: async () => {
        await gate;
        sent++;
        return 'ok';
      },
    });
    worker.start(5);
    for (let i = 0; i < 20; i++) await add(`t${i % 3}`, 1);
    await new Promise((r) => setTimeout(r, 30));
    expect((worker as unknown as { whenIdle: unknown[] }).whenIdle).toHaveLength(0);
    release();
    await worker.runDue();
    await worker.stop();
    expect(sent).toBe(20);
  });
});
