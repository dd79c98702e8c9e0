import { describe, expect } from 'vitest';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

/** What every store of console rule saves does (store/rule-edit-port.ts), run against each adapter. */
export function ruleEditContract(makeStores: () => StoreFactory): void {
  describe(`rule edits (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);
    const edit = (name: string, text: string, baseVersion = '') => ({
      name,
      baseVersion,
      text,
      savedBy: 'analyst:ana',
      savedAt: new Date('2026-12-07T14:00:00Z'),
    });

    it('numbers saves in order and reads those after a revision, oldest first', async ({ store }) => {
      expect(await store.ruleEdits.since(0)).toEqual([]);
      const first = await store.ruleEdits.record(edit('lab.yaml', 'rules: []\n'));
      const second = await store.ruleEdits.record(edit('lab.yaml', 'rules: [] # two\n', 'v1'));
      const third = await store.ruleEdits.record(edit('nurse-call.yaml', 'rules: []\n'));
      expect(second).toBeGreaterThan(first);
      expect(third).toBeGreaterThan(second);
      const all = await store.ruleEdits.since(0);
      expect(all.map((e) => [e.revision, e.name, e.baseVersion, e.text])).toEqual([
        [first, 'lab.yaml', '', 'rules: []\n'],
        [second, 'lab.yaml', 'v1', 'rules: [] # two\n'],
        [third, 'nurse-call.yaml', '', 'rules: []\n'],
      ]);
      expect(all[0].savedBy).toBe('analyst:ana');
      expect(all[0].savedAt.toISOString()).toBe('2026-12-07T14:00:00.000Z');
      expect((await store.ruleEdits.since(first)).map((e) => e.revision)).toEqual([second, third]);
      expect((await store.ruleEdits.since(first, 1)).map((e) => e.revision)).toEqual([second]);
      expect(await store.ruleEdits.since(third)).toEqual([]);
    });

    it('keeps what was recorded across a restart', async ({ stores, store }) => {
      const revision = await store.ruleEdits.record(edit('lab.yaml', 'rules: []\n'));
      await store.close();
      const reopened = await stores.open();
      expect((await reopened.ruleEdits.since(0)).map((e) => e.revision)).toEqual([revision]);
    });

    it('keeps the order of saves made at once', async ({ store }) => {
      const revisions = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.ruleEdits.record(edit(`f${i}.yaml`, `# ${i}\n`))),
      );
      const read = await store.ruleEdits.since(0);
      expect(read.map((e) => e.revision)).toEqual([...revisions].sort((a, b) => a - b));
    });
  });
}
