import { test } from 'vitest';
import type { Store } from '../../../src/store/port.ts';
import type { StoreFactory } from '../factories.ts';

/**
 * The `it` of a contract suite. Each test gets `stores`, a fresh factory from `makeStores`, and `store`,
 * an empty store opened on it; whatever the test opened is removed after it, pass or fail. A test that
 * restarts closes `store` and opens the next one with `stores.open()`.
 */
export function storePerTest(makeStores: () => StoreFactory) {
  return test.extend<{ stores: StoreFactory; store: Store }>({
    // biome-ignore lint/correctness/noEmptyPattern: Vitest reads a fixture's first parameter for what it depends on.
    stores: async ({}, use) => {
      const stores = makeStores();
      await use(stores);
      await stores.cleanup();
    },
    store: async ({ stores }, use) => {
      await use(await stores.open());
    },
  });
}
