/**
 * Two instances on one PostgreSQL database share the escalation timers: each due step is claimed by
 * exactly one of them, a claim dies with the instance that held it, and an acknowledgement taken by one
 * instance stops an escalation the other is advancing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EscalationTimer } from '../../src/store/alert-port.ts';
import type { Store } from '../../src/store/port.ts';
import { firstTimer, newAlert } from '../store/contract/alerts.ts';
import { postgresStores, type StoreFactory } from '../store/factories.ts';

const t0 = new Date('2026-11-22T12:00:00Z');
const later = (t: EscalationTimer): EscalationTimer => ({
  ...t,
  nextStep: t.nextStep + 1,
  dueAt: new Date(t.dueAt.getTime() + 3_600_000),
});

describe('escalation timers across instances', () => {
  let stores: StoreFactory;
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    stores = postgresStores();
    a = await stores.open();
    b = await stores.open();
  });
  afterEach(async () => {
    await stores.cleanup();
  });

  /** One engine cycle as EscalationEngine.tick runs it: run each due step, then set the next one. */
  async function cycle(store: Store, fired: number[]): Promise<void> {
    for (const t of await store.alerts.dueTimers(t0, 500)) {
      fired.push(t.alertId);
      await store.alerts.setTimer(later(t));
    }
  }

  it('runs each due step on exactly one instance, however their cycles overlap', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      const created = await a.alerts.create(newAlert({ createdAt: new Date(t0.getTime() - 60_000) }), {
        ...firstTimer(new Date(t0.getTime() - 1000 + i)),
      });
      ids.push(created.id);
    }
    const firedA: number[] = [];
    const firedB: number[] = [];
    for (let round = 0; round < 5; round++) await Promise.all([cycle(a, firedA), cycle(b, firedB)]);
    const all = [...firedA, ...firedB].sort((x, y) => x - y);
    expect(all).toEqual(ids);
    // Every step moved on once: the next one is an hour away on every timer.
    for (const id of ids) expect((await a.alerts.timer(id))?.nextStep).toBe(1);
  });

  it('passes over the steps another instance holds and takes the next ones due', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) {
      const created = await a.alerts.create(newAlert({ createdAt: new Date(t0.getTime() - 60_000) }), {
        ...firstTimer(new Date(t0.getTime() - 1000 + i)),
      });
      ids.push(created.id);
    }
    const heldByA = (await a.alerts.dueTimers(t0, 10)).map((t) => t.alertId);
    expect(heldByA).toEqual(ids.slice(0, 10));
    // b finds the first ten claimed and works on the next ten instead of waiting for a to finish.
    expect((await b.alerts.dueTimers(t0, 10)).map((t) => t.alertId)).toEqual(ids.slice(10, 20));
    // Asked again, a answers with what it holds, in due order, and nothing b holds.
    expect((await a.alerts.dueTimers(t0, 15)).map((t) => t.alertId)).toEqual([
      ...ids.slice(0, 10),
      ...ids.slice(20, 25),
    ]);
  });

  it('hands the steps a dead instance held to a survivor at its next cycle', async () => {
    const alert = await a.alerts.create(newAlert({ createdAt: new Date(t0.getTime() - 60_000) }), {
      ...firstTimer(new Date(t0.getTime() - 1000)),
    });
    expect((await a.alerts.dueTimers(t0, 10)).map((t) => t.alertId)).toEqual([alert.id]);
    // Held by a: b must not run it.
    expect(await b.alerts.dueTimers(t0, 10)).toEqual([]);
    // a dies before it writes the step's outcome: its connections end, and the server drops its claims.
    await a.close();
    expect((await b.alerts.dueTimers(t0, 10)).map((t) => t.alertId)).toEqual([alert.id]);
  });

  it('an acknowledgement on one instance stops the escalation the other is advancing', async () => {
    const alert = await a.alerts.create(newAlert({ createdAt: new Date(t0.getTime() - 60_000) }), {
      ...firstTimer(new Date(t0.getTime() - 1000)),
    });
    const [held] = await a.alerts.dueTimers(t0, 10);
    // b takes the acknowledgement while a is still paging this step.
    await b.alerts.update(alert.id, { status: 'acknowledged', acknowledgedBy: 'p-one' }, t0);
    await b.alerts.clearTimer(alert.id);
    // a finishes the step and sets the next one: the timer stays cleared.
    await a.alerts.setTimer(later(held));
    expect(await a.alerts.timer(alert.id)).toBeUndefined();
    expect(await b.alerts.nextTimerDue()).toBeUndefined();
  });

  it('a step due at creation belongs to the instance that created the alert', async () => {
    const alert = await a.alerts.create(newAlert({ createdAt: t0 }), firstTimer(t0));
    // a runs it at once (EscalationEngine.start); b's cycle meanwhile finds nothing to do.
    expect(await b.alerts.dueTimers(t0, 10)).toEqual([]);
    await a.alerts.setTimer(later({ ...firstTimer(t0), alertId: alert.id }));
    expect(await b.alerts.dueTimers(new Date(t0.getTime() + 3_600_000), 10)).toHaveLength(1);
  });

  it('sends each outbox delivery from one instance until it is marked', async () => {
    const added = await a.outbox.add(
      Array.from({ length: 50 }, (_, i) => ({
        channel: 'page',
        target: `metro:${i}`,
        payload: {},
        alertId: null,
      })),
      t0,
    );
    const sent: number[] = [];
    const worker = async (store: Store) => {
      for (const d of await store.outbox.due(t0, 100)) {
        sent.push(d.id);
        await store.outbox.markSent(d.id, 'ok', t0);
      }
    };
    for (let round = 0; round < 3; round++) await Promise.all([worker(a), worker(b)]);
    expect(sent.sort((x, y) => x - y)).toEqual(added.map((d) => d.id));
  });

  it('passes over the deliveries another instance holds and takes the next ones due', async () => {
    const added = await a.outbox.add(
      Array.from({ length: 30 }, (_, i) => ({
        channel: 'page',
        target: `metro:${i % 3}`,
        payload: {},
        alertId: null,
        dueAt: new Date(t0.getTime() - 1000 + i),
      })),
      t0,
    );
    const ids = added.map((d) => d.id);
    expect((await a.outbox.due(t0, 10, 5)).map((d) => d.id)).toEqual(ids.slice(0, 10));
    // b finds the first ten claimed by a and sends the next ten meanwhile.
    expect((await b.outbox.due(t0, 10, 5)).map((d) => d.id)).toEqual(ids.slice(10, 20));
  });
});
