import { describe, expect } from 'vitest';
import type { CallDetailRecord } from '../../../src/store/sip-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

/** What every SIP store does (store/sip-port.ts), run against each adapter. */
export function sipContract(makeStores: () => StoreFactory): void {
  describe(`SIP store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    const binding = (contact: string, expiresAt: string) => ({
      aor: 'sip:dr.one@test.local',
      contact,
      expiresAt: new Date(expiresAt),
      q: 1,
      callId: 'reg-1',
      cseq: 2,
      source: 'udp:127.0.0.5:5062',
    });

    it('keeps bindings across a reopen, replaces them per AOR and leaves out expired ones', async ({
      store,
      stores,
    }) => {
      await store.sip.saveBindings('sip:dr.one@test.local', [
        binding('<sip:one@127.0.0.5:5062>', '2026-11-22T15:00:00Z'),
        binding('<sip:one@127.0.0.6:5062>', '2026-11-22T13:00:00Z'),
      ]);
      await store.close();
      store = await stores.open();
      const live = await store.sip.liveBindings(new Date('2026-11-22T14:00:00Z'));
      expect(live.map((b) => b.contact)).toEqual(['<sip:one@127.0.0.5:5062>']);
      expect(live[0]).toMatchObject({ callId: 'reg-1', cseq: 2, source: 'udp:127.0.0.5:5062' });
      await store.sip.saveBindings('sip:dr.one@test.local', []);
      expect(await store.sip.liveBindings(new Date('2026-11-22T14:00:00Z'))).toEqual([]);
    });

    it('records call detail records and lists them newest first, by person', async ({ store }) => {
      const cdr = (callId: string, answeredBy: string | null, offered: string): CallDetailRecord => ({
        callId,
        kind: 'inbound',
        caller: 'sip:caller@pbx.test',
        dialled: '4100',
        route: 'hospitalist',
        answeredBy,
        answeredAt: answeredBy ? 'sip:one@127.0.0.5:5062' : null,
        attempts: [
          { personId: offered, target: 'sip:x@127.0.0.5', status: answeredBy ? 200 : 486, reason: 'r' },
        ],
        outcome: answeredBy ? 'answered' : 'busy',
        finalStatus: answeredBy ? 200 : 486,
        startedAt: new Date('2026-11-22T14:00:00Z'),
        connectedAt: answeredBy ? new Date('2026-11-22T14:00:05Z') : null,
        endedAt: new Date('2026-11-22T14:01:00Z'),
        endedBy: answeredBy ? 'caller' : null,
        alertId: null,
      });
      const first = await store.sip.recordCall(cdr('c1', 'p-one', 'p-one'));
      const second = await store.sip.recordCall(cdr('c2', null, 'p-two'));
      expect(second).toBeGreaterThan(first);
      const all = await store.sip.listCalls({});
      expect(all.map((c) => c.callId)).toEqual(['c2', 'c1']);
      expect(all[1]).toMatchObject({ outcome: 'answered', connectedAt: new Date('2026-11-22T14:00:05Z') });
      expect((await store.sip.listCalls({ personId: 'p-two' })).map((c) => c.callId)).toEqual(['c2']);
      expect((await store.sip.listCalls({ personId: 'p-one' })).map((c) => c.callId)).toEqual(['c1']);
    });
  });
}
