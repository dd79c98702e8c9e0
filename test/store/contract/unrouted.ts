import { describe, expect } from 'vitest';
import type { Store } from '../../../src/store/port.ts';
import type { StoreFactory } from '../factories.ts';
import { inbound } from './messages.ts';
import { storePerTest } from './store-per-test.ts';

const NOW = { goneForMs: 0, unowned: false };

async function stored(store: Store, prefix: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await store.messages.saveInbound(inbound(`${prefix}${i}`))).id);
  return ids;
}

/** What every message store does with unrouted messages of other instances (MessageStore.adoptUnrouted). */
export function unroutedContract(makeStores: () => StoreFactory): void {
  describe(`unrouted messages (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it("never adopts this instance's own messages: they are pending", async ({ store }) => {
      const ids = await stored(store, 'OWN', 3);
      expect(await store.messages.adoptUnrouted(10, NOW)).toEqual([]);
      expect(await store.messages.adoptUnrouted(10, { goneForMs: 0, unowned: true })).toEqual([]);
      expect((await store.messages.pending(10)).map((m) => m.id)).toEqual(ids);
    });
  });
}

/** The shared store's part: what an instance that is gone left is taken over by one survivor. */
export function sharedUnroutedContract(makeStores: () => StoreFactory): void {
  describe(`unrouted messages of instances that are gone (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('leaves a live instance its messages, and adopts them once it is gone', async ({ stores, store }) => {
      const survivor = await stores.open();
      const ids = await stored(store, 'DEAD', 3);
      await store.messages.setStatus(ids[1], 'routed', 'rule lab');
      expect(await survivor.messages.adoptUnrouted(10, NOW)).toEqual([]);
      expect(await survivor.messages.pending(10)).toEqual([]);
      // The instance dies: its connections end, and its lock with them.
      await store.close();
      // Gone for less than asked: not yet.
      expect(await survivor.messages.adoptUnrouted(10, { goneForMs: 3_600_000, unowned: false })).toEqual([]);
      const adopted = await survivor.messages.adoptUnrouted(10, NOW);
      expect(adopted.map((m) => m.controlId)).toEqual(['DEAD0', 'DEAD2']);
      expect(adopted[0].raw.toString()).toContain('DEAD0');
      // They are the survivor's now: pending to it, adopted by nobody else.
      expect(await survivor.messages.adoptUnrouted(10, NOW)).toEqual([]);
      expect((await survivor.messages.pending(10)).map((m) => m.controlId)).toEqual(['DEAD0', 'DEAD2']);
      const third = await stores.open();
      expect(await third.messages.adoptUnrouted(10, NOW)).toEqual([]);
    });

    it('two survivors adopting at once share what was left, each message once', async ({ stores, store }) => {
      const ids = await stored(store, 'LEFT', 60);
      await store.close();
      const [b, c] = await Promise.all([stores.open(), stores.open()]);
      const taken: number[] = [];
      const adoptAll = async (s: Store) => {
        for (;;) {
          const page = await s.messages.adoptUnrouted(7, NOW);
          taken.push(...page.map((m) => m.id));
          if (page.length < 7) return;
        }
      };
      await Promise.all([adoptAll(b), adoptAll(c)]);
      expect(taken.sort((x, y) => x - y)).toEqual(ids);
    });
  });
}
