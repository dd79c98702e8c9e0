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

    it('hands a sign-in under way to one callback, once, until it expires', async ({ store }) => {
      const flow = (key: string, minutes = 10) => ({
        kind: 'oidc' as const,
        key,
        value: `{"verifier":"v-${key}"}`,
        expiresAt: at(minutes),
      });
      expect(await store.sessions.holdFlow(flow('state-1'), at(0), 10)).toBe(true);
      expect(await store.sessions.peekFlow('oidc', 'state-1', at(1))).toBe('{"verifier":"v-state-1"}');
      // Another kind's flow of the same key is another flow.
      expect(await store.sessions.peekFlow('smart', 'state-1', at(1))).toBeUndefined();
      expect(await store.sessions.takeFlow('oidc', 'state-1', at(2))).toBe('{"verifier":"v-state-1"}');
      expect(await store.sessions.takeFlow('oidc', 'state-1', at(2))).toBeUndefined();
      expect(await store.sessions.peekFlow('oidc', 'state-1', at(2))).toBeUndefined();

      expect(await store.sessions.holdFlow(flow('state-2', 5), at(0), 10)).toBe(true);
      expect(await store.sessions.peekFlow('oidc', 'state-2', at(5))).toBeUndefined();
      expect(await store.sessions.takeFlow('oidc', 'state-2', at(5))).toBeUndefined();
    });

    it('gives a flow to only one of two callbacks that race for it', async ({ store }) => {
      await store.sessions.holdFlow({ kind: 'saml', key: '_req', value: 'x', expiresAt: at(10) }, at(0), 10);
      const both = await Promise.all([
        store.sessions.takeFlow('saml', '_req', at(1)),
        store.sessions.takeFlow('saml', '_req', at(1)),
      ]);
      expect(both.sort()).toEqual(['x', undefined]);
    });

    it('refuses a flow when its kind has the limit open, and counts no expired ones', async ({ store }) => {
      const smart = (key: string, minutes: number) => ({
        kind: 'smart' as const,
        key,
        value: key,
        expiresAt: at(minutes),
      });
      expect(await store.sessions.holdFlow(smart('a', 5), at(0), 2)).toBe(true);
      expect(await store.sessions.holdFlow(smart('b', 10), at(0), 2)).toBe(true);
      expect(await store.sessions.holdFlow(smart('c', 10), at(1), 2)).toBe(false);
      expect(await store.sessions.peekFlow('smart', 'c', at(1))).toBeUndefined();
      // The other kinds have a limit of their own.
      expect(
        await store.sessions.holdFlow({ kind: 'oidc', key: 'a', value: 'o', expiresAt: at(10) }, at(1), 2),
      ).toBe(true);
      // Once 'a' has expired there is room again, and a sweep forgets expired flows of every kind.
      expect(await store.sessions.holdFlow(smart('c', 20), at(6), 2)).toBe(true);
      await store.sessions.sweep(at(15));
      expect(await store.sessions.holdFlow(smart('d', 30), at(15), 2)).toBe(true);
      expect(await store.sessions.takeFlow('smart', 'c', at(15))).toBe('c');
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
