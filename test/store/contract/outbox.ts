import { describe, expect } from 'vitest';
import type { NewDelivery } from '../../../src/store/outbox-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const t0 = new Date('2026-11-22T12:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const notice = (target: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  channel: 'page',
  target,
  payload: { text: `to ${target}` },
  alertId: null,
  ...over,
});

/** What every outbox and pickup store does (store/outbox-port.ts), run against each adapter. */
export function outboxContract(makeStores: () => StoreFactory): void {
  describe(`outbox and pickups (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it("hands out at most a share of each target's due rows when one target is over it, oldest first", async ({
      store,
    }) => {
      // One target's backlog (a connector catching up) ahead of three others, a page due later still.
      await store.outbox.add(
        Array.from({ length: 40 }, (_, i) => notice('busy', { dueAt: at(i) })),
        at(0),
      );
      await store.outbox.add(
        ['a', 'b', 'c'].flatMap((t, j) => [
          notice(t, { dueAt: at(50 + j) }),
          notice(t, { dueAt: at(60 + j) }),
        ]),
        at(0),
      );
      await store.durable();
      const shared = await store.outbox.due(at(100), 100, 5);
      const count: Record<string, number> = {};
      for (const d of shared) count[d.target] = (count[d.target] ?? 0) + 1;
      expect(count).toEqual({ busy: 5, a: 2, b: 2, c: 2 });
      const order = shared.map((d) => d.dueAt.getTime());
      expect(order).toEqual([...order].sort((x, y) => x - y));
      // Not yet due is not handed out, share or not.
      expect((await store.outbox.due(at(55), 100, 5)).map((d) => d.target).sort()).toEqual([
        'a',
        'b',
        'busy',
        'busy',
        'busy',
        'busy',
        'busy',
        'c',
      ]);
      // A share nobody exceeds changes nothing: the first due rows as they stand.
      expect((await store.outbox.due(at(100), 10, 50)).map((d) => d.id)).toEqual(
        (await store.outbox.due(at(100), 10)).map((d) => d.id),
      );
      // What the worker has in flight, and its full targets, are left out before the page and the share
      // are counted: the next rows take their places.
      const first = await store.outbox.due(at(100), 10);
      const inFlight = new Set(first.slice(0, 3).map((d) => d.id));
      const past = await store.outbox.due(at(100), 10, undefined, {
        deliveries: inFlight,
        targets: new Set(),
      });
      expect(past.map((d) => d.id)).toEqual((await store.outbox.due(at(100), 13)).slice(3).map((d) => d.id));
      const busyFirst = new Set(shared.filter((d) => d.target === 'busy').map((d) => d.id));
      const next = await store.outbox.due(at(100), 100, 5, { deliveries: busyFirst, targets: new Set() });
      expect(next.filter((d) => d.target === 'busy').map((d) => d.dueAt.getTime())).toEqual(
        [at(5), at(6), at(7), at(8), at(9)].map((d) => d.getTime()),
      );
      const withoutBusy = await store.outbox.due(at(100), 100, 5, {
        deliveries: new Set(),
        targets: new Set(['busy']),
      });
      expect(withoutBusy.map((d) => d.target).sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    });

    it('adds notices, drops a repeated once-key, and hands out what is due, oldest first', async ({
      store,
    }) => {
      const heard: string[][] = [];
      store.outbox.onCommitted((channels) => heard.push([...channels]));
      const added = await store.outbox.add(
        [
          notice('metro:2', { dueAt: at(20) }),
          notice('metro:1', { channel: 'wctp-status', onceKey: 'delivered:1' }),
        ],
        at(0),
      );
      expect(added.map((d) => [d.target, d.state, d.attempts])).toEqual([
        ['metro:2', 'pending', 0],
        ['metro:1', 'pending', 0],
      ]);
      expect(await store.outbox.add([notice('metro:1', { onceKey: 'delivered:1' })], at(1))).toEqual([]);
      await store.durable();
      expect(heard.flat().sort()).toEqual(['page', 'wctp-status']);
      expect((await store.outbox.due(at(10), 10)).map((d) => d.target)).toEqual(['metro:1']);
      expect(await store.outbox.nextDue()).toEqual(at(0));
      expect((await store.outbox.due(at(20), 10)).map((d) => d.target)).toEqual(['metro:1', 'metro:2']);
      expect((await store.outbox.get(added[0].id))?.payload).toEqual({ text: 'to metro:2' });
    });

    it('marks attempts: retry later, sent with a result, dead with the error', async ({ store }) => {
      const [a, b] = await store.outbox.add([notice('metro:1'), notice('metro:2')], at(0));
      await store.outbox.markRetry(a.id, 'carrier busy', at(60), at(1));
      expect(await store.outbox.get(a.id)).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastError: 'carrier busy',
        dueAt: at(60),
      });
      expect((await store.outbox.due(at(30), 10)).map((d) => d.id)).toEqual([b.id]);
      await store.outbox.markSent(a.id, 'carrier-id-77', at(61));
      await store.outbox.markDead(b.id, 'no such pager', at(62));
      expect(await store.outbox.get(a.id)).toMatchObject({
        state: 'sent',
        attempts: 2,
        lastError: null,
        result: 'carrier-id-77',
      });
      expect(await store.outbox.get(b.id)).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: 'no such pager',
      });
      expect(await store.outbox.due(at(100), 10)).toEqual([]);
      expect(await store.outbox.nextDue()).toBeUndefined();
      expect((await store.outbox.list({ state: 'dead' })).map((d) => d.id)).toEqual([b.id]);
      expect((await store.outbox.list({})).map((d) => d.id)).toEqual([b.id, a.id]);
      expect((await store.outbox.list({ channel: 'page', limit: 1 })).map((d) => d.id)).toEqual([b.id]);
    });

    it('holds notices per box, once per delivery, up to a maximum, until collected or taken', async ({
      store,
    }) => {
      await store.pickups.hold('nursecall', { n: 1 }, 1, at(0), 3);
      await store.pickups.hold('nursecall', { n: 1 }, 1, at(0), 3);
      await store.pickups.hold('nursecall', { n: 2 }, 2, at(1), 3);
      await store.pickups.hold('telemetry', { n: 3 }, 3, at(1), 3);
      const held = await store.pickups.collect('nursecall', [], 10);
      expect(held.map((h) => h.payload)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(
        (await store.pickups.collect('nursecall', [held[0].sequenceNo], 10)).map((h) => h.payload),
      ).toEqual([{ n: 2 }]);
      for (let i = 4; i <= 7; i++) await store.pickups.hold('nursecall', { n: i }, i, at(i), 3);
      expect((await store.pickups.collect('nursecall', [], 2)).map((h) => h.payload)).toEqual([
        { n: 5 },
        { n: 6 },
      ]);
      expect((await store.pickups.takeAll('nursecall')).map((h) => h.payload)).toEqual([
        { n: 5 },
        { n: 6 },
        { n: 7 },
      ]);
      expect(await store.pickups.takeAll('nursecall')).toEqual([]);
      expect((await store.pickups.takeAll('telemetry')).length).toBe(1);
    });
  });
}
