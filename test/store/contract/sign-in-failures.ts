import { describe, expect } from 'vitest';
import { afterFailure } from '../../../src/kit/sign-in-guard.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const limits = { maxFailures: 3, windowSeconds: 900, lockSeconds: 60, maxLockSeconds: 300 };
const t0 = Date.parse('2026-12-08T02:00:00Z');

/** What every store of failed sign-ins does (store/sign-in-failure-port.ts), run against each adapter. */
export function signInFailureContract(makeStores: () => StoreFactory): void {
  describe(`failed sign-ins (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);
    const count = (at: number) => (before: Parameters<typeof afterFailure>[0]) =>
      afterFailure(before, at, limits);

    it('counts failures per kind and key, locks at the limit, and lists the locks in force', async ({
      store,
    }) => {
      const failures = store.signInFailures;
      expect(await failures.fail('account', 'admin', new Date(t0), count(t0))).toMatchObject({
        failures: 1,
        lockouts: 0,
      });
      await failures.fail('address', '10.0.0.9', new Date(t0), count(t0));
      await failures.fail('account', 'admin', new Date(t0 + 1000), count(t0 + 1000));
      expect(await failures.inForce(new Date(t0 + 2000))).toEqual([]);
      const locked = await failures.fail('account', 'admin', new Date(t0 + 2000), count(t0 + 2000));
      expect(locked).toEqual({
        failures: 2,
        lastFailureAt: t0 + 2000,
        lockouts: 1,
        lockedAt: t0 + 2000,
        lockedUntil: t0 + 62_000,
      });
      expect(await failures.inForce(new Date(t0 + 3000))).toEqual([
        { kind: 'account', key: 'admin', ...locked, knownAddresses: [] },
      ]);
      expect(await failures.inForce(new Date(t0 + 62_000))).toEqual([]);
      // The next failure after the lock locks again, twice as long.
      expect(
        await failures.fail('account', 'admin', new Date(t0 + 70_000), count(t0 + 70_000)),
      ).toMatchObject({
        lockouts: 2,
        lockedUntil: t0 + 190_000,
      });
    });

    it('sweeps by the failure’s clock, not the wall clock: a site’s clock, or a test’s, may be far from it', async ({
      store,
    }) => {
      const past = Date.parse('2020-01-01T00:00:00Z');
      const failures = store.signInFailures;
      await failures.fail('account', 'admin', new Date(past), count(past));
      expect(
        await failures.fail('account', 'admin', new Date(past + 1000), count(past + 1000)),
      ).toMatchObject({
        failures: 2,
      });
    });

    it('lists with a locked subject the newest eight addresses it signed in from', async ({ store }) => {
      const failures = store.signInFailures;
      for (let i = 0; i < 10; i++)
        await failures.signedIn('wctp-sender', 'nursecall', `10.1.1.${i}`, new Date(t0 + i * 1000));
      await failures.signedIn('wctp-sender', 'nursecall', '10.1.1.3', new Date(t0 + 20_000));
      await failures.signedIn('account', 'nursecall', '10.9.9.9', new Date(t0));
      for (let i = 0; i < 3; i++)
        await failures.fail('wctp-sender', 'nursecall', new Date(t0 + 30_000), count(t0 + 30_000));
      const [locked] = await failures.inForce(new Date(t0 + 31_000));
      expect(locked).toMatchObject({ kind: 'wctp-sender', key: 'nursecall', lockouts: 1 });
      // Oldest first; .0 and .1 were the oldest of ten and are gone; .3 signed in again last.
      expect(locked.knownAddresses).toEqual([
        '10.1.1.2',
        '10.1.1.4',
        '10.1.1.5',
        '10.1.1.6',
        '10.1.1.7',
        '10.1.1.8',
        '10.1.1.9',
        '10.1.1.3',
      ]);
    });

    it('forgets a record, and counts afresh after', async ({ store }) => {
      const failures = store.signInFailures;
      for (let i = 0; i < 3; i++)
        await failures.fail('wctp-sender', 'nursecall', new Date(t0 + i), count(t0 + i));
      expect(await failures.inForce(new Date(t0 + 10))).toHaveLength(1);
      // A success leaves a lock in force; an admin's lift does not.
      await failures.forget('wctp-sender', 'nursecall', new Date(t0 + 10));
      expect(await failures.inForce(new Date(t0 + 10))).toHaveLength(1);
      await failures.forget('wctp-sender', 'nursecall');
      expect(await failures.inForce(new Date(t0 + 10))).toEqual([]);
      expect(
        await failures.fail('wctp-sender', 'nursecall', new Date(t0 + 20), count(t0 + 20)),
      ).toMatchObject({ failures: 1 });
    });

    // On PostgreSQL each failure runs on a connection of the pool's own, as two instances' would.
    it('counts failures arriving at once one after the other, none lost', async ({ store }) => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.signInFailures.fail('address', '10.6.6.6', new Date(t0 + i), (before) => ({
            failures: (before?.failures ?? 0) + 1,
            lastFailureAt: t0 + i,
            lockouts: 0,
            lockedAt: 0,
            lockedUntil: t0 + 3_600_000,
          })),
        ),
      );
      const [record] = await store.signInFailures.inForce(new Date(t0));
      expect(record).toMatchObject({ kind: 'address', key: '10.6.6.6', failures: 10 });
    });
  });
}
