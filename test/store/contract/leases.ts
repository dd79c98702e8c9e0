import { describe, expect } from 'vitest';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const MINUTE = 60_000;
/** A lease taken for 0 ms has lapsed by the next statement: expiry without waiting for it. */
const LAPSED = 0;

/** What every lease store does (store/lease-port.ts), run against each adapter. */
export function leaseContract(makeStores: () => StoreFactory): void {
  describe(`leases (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('grants a free lease, keeps its term while the holder renews it, and lists it', async ({ store }) => {
      const [first] = await store.leases.take(['schedule-source:amion'], 'a', MINUTE);
      expect(first.name).toBe('schedule-source:amion');
      const renewed = await store.leases.take(['schedule-source:amion'], 'a', MINUTE);
      expect(renewed).toEqual([first]);
      const held = await store.leases.holdings();
      expect(held.map((h) => [h.name, h.holder, h.term])).toEqual([
        ['schedule-source:amion', 'a', first.term],
      ]);
      expect(held[0].expiresAt.getTime()).toBeGreaterThan(Date.now());
    });

    it('takes several leases in one call, each in its own term', async ({ store }) => {
      await store.leases.take(['ldap-sync'], 'a', MINUTE);
      const grants = await store.leases.take(
        ['connector-cycle', 'ldap-sync', 'connector-cycle'],
        'a',
        MINUTE,
      );
      expect(grants.map((g) => g.name).sort()).toEqual(['connector-cycle', 'ldap-sync']);
      expect(await store.leases.take([], 'a', MINUTE)).toEqual([]);
    });

    it('a released lease is free at once, and the next take starts a new term', async ({ store }) => {
      const [first] = await store.leases.take(['connector-cycle'], 'a', MINUTE);
      await store.leases.release(['connector-cycle'], 'a');
      expect(await store.leases.holdings()).toEqual([]);
      const [again] = await store.leases.take(['connector-cycle'], 'b', MINUTE);
      expect(again.term).toBeGreaterThan(first.term);
      // Releasing what another holds does nothing.
      await store.leases.release(['connector-cycle'], 'a');
      expect((await store.leases.holdings()).map((h) => h.holder)).toEqual(['b']);
    });

    it('a lease its holder let lapse is taken again in a new term, even by that holder', async ({
      store,
    }) => {
      const [first] = await store.leases.take(['census-import:beds'], 'a', LAPSED);
      expect(await store.leases.holdings()).toEqual([]);
      const [again] = await store.leases.take(['census-import:beds'], 'a', MINUTE);
      expect(again.term).toBeGreaterThan(first.term);
    });

    it('a lapsed lease goes to the next holder that asks', async ({ store }) => {
      const [first] = await store.leases.take(['ldap-sync'], 'a', LAPSED);
      const [taken] = await store.leases.take(['ldap-sync'], 'b', MINUTE);
      expect(taken.term).toBeGreaterThan(first.term);
      expect((await store.leases.holdings()).map((h) => h.holder)).toEqual(['b']);
    });
  });
}

/** The shared store's part: a lease is held by one instance at a time until it lapses. */
export function exclusiveLeaseContract(makeStores: () => StoreFactory): void {
  describe(`leases held by one instance (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('refuses a lease another instance holds, and hands it over once it lapses', async ({
      stores,
      store,
    }) => {
      const other = await stores.open();
      await store.leases.take(['schedule-source:amion', 'ldap-sync'], 'a', MINUTE);
      expect(await other.leases.take(['schedule-source:amion'], 'b', MINUTE)).toEqual([]);
      // b asks for both and a free one: it gets the free one only.
      const grants = await other.leases.take(['schedule-source:amion', 'connector-cycle'], 'b', MINUTE);
      expect(grants.map((g) => g.name)).toEqual(['connector-cycle']);
      // a dies without releasing (its connections close): its leases stay until they lapse.
      await store.close();
      expect(await other.leases.take(['ldap-sync'], 'b', MINUTE)).toEqual([]);
      const survivor = await stores.open();
      expect(await survivor.leases.take(['ldap-sync'], 'c', MINUTE)).toEqual([]);
      const holders = Object.fromEntries((await survivor.leases.holdings()).map((h) => [h.name, h.holder]));
      expect(holders).toEqual({ 'schedule-source:amion': 'a', 'ldap-sync': 'a', 'connector-cycle': 'b' });
    });

    it('a holder whose lease lapsed and was taken gets nothing back when it renews', async ({
      stores,
      store,
    }) => {
      const other = await stores.open();
      await store.leases.take(['connector-cycle'], 'a', LAPSED);
      await other.leases.take(['connector-cycle'], 'b', MINUTE);
      expect(await store.leases.take(['connector-cycle'], 'a', MINUTE)).toEqual([]);
    });

    it('of many instances asking at once for a free lease, exactly one gets it', async ({ stores }) => {
      const instances = await Promise.all([1, 2, 3, 4].map(() => stores.open()));
      for (let round = 0; round < 20; round++) {
        const name = `race-${round}`;
        const grants = await Promise.all(instances.map((s, i) => s.leases.take([name], `i${i}`, MINUTE)));
        expect(grants.flat()).toHaveLength(1);
      }
    });
  });
}

/** The embedded store's part: one instance per data folder, so a lease left by a previous run is no bar. */
export function embeddedLeaseContract(makeStores: () => StoreFactory): void {
  describe(`leases on the embedded store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('takes at once, in a new term, a lease a previous run left held', async ({ stores, store }) => {
      const [left] = await store.leases.take(['connector-cycle'], 'previous-run', MINUTE);
      await store.close();
      const restarted = await stores.open();
      const [taken] = await restarted.leases.take(['connector-cycle'], 'this-run', MINUTE);
      expect(taken.term).toBeGreaterThan(left.term);
      expect((await restarted.leases.holdings()).map((h) => h.holder)).toEqual(['this-run']);
    });
  });
}
