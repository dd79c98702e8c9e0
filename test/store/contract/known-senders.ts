import { describe, expect } from 'vitest';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const at = (minute: number) => new Date(Date.parse('2026-12-08T02:00:00Z') + minute * 60_000);

/** What every store of known senders does (store/known-sender-port.ts), run against each adapter. */
export function knownSenderContract(makeStores: () => StoreFactory): void {
  describe(`known senders (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('keeps each listener’s senders across a reopen, the most recently heard first', async ({
      store,
      stores,
    }) => {
      expect(await store.knownSenders.recent('mllp', 10)).toEqual([]);
      await store.knownSenders.remember('mllp', '10.1.0.5', at(0));
      await store.knownSenders.remember('mllp', '10.1.0.6', at(1));
      await store.knownSenders.remember('wctp', '10.9.0.1', at(2));
      await store.knownSenders.remember('mllp', '10.1.0.5', at(3));
      await store.close();
      const reopened = await stores.open();
      expect(await reopened.knownSenders.recent('mllp', 10)).toEqual(['10.1.0.5', '10.1.0.6']);
      expect(await reopened.knownSenders.recent('mllp', 1)).toEqual(['10.1.0.5']);
      expect(await reopened.knownSenders.recent('wctp', 10)).toEqual(['10.9.0.1']);
    });
  });
}
