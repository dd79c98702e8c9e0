import { describe, expect } from 'vitest';
import type { NewSession } from '../../../src/store/session-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const T0 = new Date('2026-03-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** What every session and shared-device store does (store/session-port.ts), run against each adapter. */
export function sessionsContract(makeStores: () => StoreFactory): void {
  describe(`sessions and shared devices (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    const session = (id: string, over: Partial<NewSession> = {}): NewSession => ({
      id,
      tokenHash: `hash-${id}`,
      username: 'dr.one',
      personId: 'p-one',
      roles: ['clinician'],
      method: 'password',
      device: null,
      address: '127.0.0.1',
      createdAt: T0,
      idleExpiresAt: at(30),
      absoluteExpiresAt: at(12 * 60),
      ...over,
    });

    it('finds a live session by its token hash until it ends, idles out or expires', async ({ store }) => {
      await store.sessions.create(session('s1'));
      expect((await store.sessions.live('hash-s1', at(5)))?.roles).toEqual(['clinician']);
      expect(await store.sessions.live('hash-s1', at(31))).toBeUndefined();
      await store.sessions.touch('s1', at(25), at(55));
      expect((await store.sessions.live('hash-s1', at(31)))?.lastSeenAt).toEqual(at(25));
      // The idle expiry is never pushed past the absolute one.
      await store.sessions.touch('s1', at(700), at(800));
      expect(await store.sessions.live('hash-s1', at(12 * 60 + 1))).toBeUndefined();
      expect(await store.sessions.end('s1', at(40), 'signed-out')).toBe(true);
      expect(await store.sessions.end('s1', at(41), 'signed-out')).toBe(false);
      expect(await store.sessions.live('hash-s1', at(41))).toBeUndefined();
      const [ended] = await store.sessions.listOf('p-one', { includeEnded: true });
      expect(ended).toMatchObject({ id: 's1', endReason: 'signed-out', endedAt: at(40) });
    });

    it("ends every live session of a person, and a device's sessions, and sweeps expired ones", async ({
      store,
    }) => {
      await store.sessions.create(session('a'));
      await store.sessions.create(session('b', { device: 'unit-phone-4' }));
      await store.sessions.create(session('c', { personId: 'p-two', username: 'rn.two' }));
      await store.sessions.create(
        session('d', { personId: 'p-two', username: 'rn.two', idleExpiresAt: at(1) }),
      );
      const ended = await store.sessions.endAll({ personId: 'p-one' }, at(2), 'revoked');
      expect(ended.map((s) => s.id).sort()).toEqual(['a', 'b']);
      expect(await store.sessions.listOf('p-one')).toEqual([]);
      expect(await store.sessions.endOnDevice('unit-phone-4', at(3), 'replaced')).toEqual([]);
      expect(await store.sessions.sweep(at(5))).toBe(1);
      const two = await store.sessions.listOf('p-two', { includeEnded: true });
      expect(two.find((s) => s.id === 'd')).toMatchObject({ endReason: 'idle', endedAt: at(1) });
      expect(two.find((s) => s.id === 'c')?.endedAt).toBeNull();
    });

    it('accepts a key once until it expires', async ({ store }) => {
      expect(await store.sessions.useOnce('saml:_abc', at(5), at(0))).toBe(true);
      expect(await store.sessions.useOnce('saml:_abc', at(5), at(1))).toBe(false);
      expect(await store.sessions.useOnce('saml:_abc', at(10), at(6))).toBe(true);
    });

    it('hands a shared device from one person to the next', async ({ store }) => {
      const login = (personId: string, minutes: number) => ({
        device: 'unit-phone-4',
        personId,
        source: 'badge',
        since: at(minutes),
      });
      expect(await store.devices.handOver(login('p-one', 0))).toBeNull();
      expect(await store.devices.handOver(login('p-one', 1))).toBeNull();
      expect(await store.devices.handOver(login('p-two', 2))).toMatchObject({ personId: 'p-one' });
      expect(await store.devices.devicesOf('p-two')).toEqual([login('p-two', 2)]);
      expect(await store.devices.release('unit-phone-4')).toMatchObject({ personId: 'p-two' });
      expect(await store.devices.holder('unit-phone-4')).toBeUndefined();
    });
  });
}
