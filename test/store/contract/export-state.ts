import { describe, expect } from 'vitest';
import type { ExportFile } from '../../../src/store/export-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const file = (name: string, minutes: number, over: Partial<ExportFile> = {}): ExportFile => ({
  connectorId: 'ukg',
  name,
  period: '2026-11-16/2026-11-29',
  mode: 'full',
  rows: 2,
  bytes: 120,
  deliveredAt: new Date(Date.parse('2026-11-22T12:00:00Z') + minutes * 60_000),
  ...over,
});

/** What every file-export state store does (store/export-port.ts), run against each adapter. */
export function exportStateContract(makeStores: () => StoreFactory): void {
  describe(`file export state (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('holds what the receiver has only once the file is delivered, and lists files newest first', async ({
      store,
    }) => {
      await store.exportState.stage('ukg', [
        { key: 's1', hash: 'h1', record: 'a,b' },
        { key: 's2', hash: 'h2', record: 'c,d' },
      ]);
      expect((await store.exportState.heldHashes('ukg')).size).toBe(0);
      await store.exportState.commitFile(file('full-1.csv', 0));
      expect([...(await store.exportState.heldHashes('ukg'))].sort()).toEqual([
        ['s1', 'h1'],
        ['s2', 'h2'],
      ]);
      // A failed delivery: staged rows are dropped, the receiver's base stays.
      await store.exportState.stage('ukg', [{ key: 's1', hash: 'h9', record: 'x' }]);
      await store.exportState.clearStaged('ukg');
      await store.exportState.stage('ukg', [{ key: 's3', hash: 'h3', record: 'e,f' }]);
      await store.exportState.commitFile(file('delta-2.csv', 5, { mode: 'delta', rows: 1 }));
      expect([...(await store.exportState.heldHashes('ukg')).keys()]).toEqual(['s3']);
      expect(await store.exportState.heldRows('ukg', ['s3', 'nope'])).toEqual([
        { key: 's3', hash: 'h3', record: 'e,f' },
      ]);
      expect((await store.exportState.files('ukg', 10)).map((f) => f.name)).toEqual([
        'delta-2.csv',
        'full-1.csv',
      ]);
      expect(await store.exportState.lastFile('ukg')).toEqual(
        file('delta-2.csv', 5, { mode: 'delta', rows: 1 }),
      );
      expect(await store.exportState.lastFile('other')).toBeUndefined();
    });
  });
}
