import { describe, expect } from 'vitest';
import type { SourceStatusRecord, UnmappedRow } from '../../../src/store/schedule-source-port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const t0 = new Date('2026-11-22T12:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

const status = (sourceId: string, over: Partial<SourceStatusRecord> = {}): SourceStatusRecord => ({
  sourceId,
  lastAttemptAt: at(0),
  lastSuccessAt: null,
  lastError: 'HTTP 503',
  failingSince: at(0),
  cursor: null,
  nextRunAt: at(5),
  lastRun: { status: 'failed', shifts: 0 },
  staleAlertedAt: null,
  ...over,
});

const unmapped = (rowNo: number, over: Partial<UnmappedRow> = {}): UnmappedRow => ({
  sourceId: 'amion',
  rowNo,
  reason: 'nobody',
  rowRef: `line ${rowNo}`,
  staff: { name: 'Dr Nobody' },
  task: { name: 'Cardiology call' },
  start: at(60),
  end: at(720),
  assignmentIds: ['cardiology-oncall'],
  personIds: [],
  seenAt: at(0),
  ...over,
});

/** What every schedule-source state store does (store/schedule-source-port.ts), on each adapter. */
export function scheduleSourcesContract(makeStores: () => StoreFactory): void {
  describe(`scheduling sources' state (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('keeps each source status, replaced by the next, listed by id', async ({ store }) => {
      await store.scheduleSources.saveStatus(status('qgenda'));
      await store.scheduleSources.saveStatus(status('amion'));
      const ok = status('amion', {
        lastSuccessAt: at(6),
        lastError: null,
        failingSince: null,
        cursor: 'c-9',
      });
      await store.scheduleSources.saveStatus(ok);
      expect(await store.scheduleSources.status('amion')).toEqual(ok);
      expect(await store.scheduleSources.status('nope')).toBeUndefined();
      expect((await store.scheduleSources.listStatus()).map((s) => s.sourceId)).toEqual(['amion', 'qgenda']);
    });

    it('holds one sync per source until dropped', async ({ store }) => {
      const held = {
        sourceId: 'amion',
        heldAt: at(1),
        reason: 'mass delete',
        removes: 40,
        ofTotal: 50,
        payload: { n: 1 },
      };
      await store.scheduleSources.hold(held);
      await store.scheduleSources.hold({ ...held, removes: 45, payload: { n: 2 } });
      expect(await store.scheduleSources.held('amion')).toEqual({ ...held, removes: 45, payload: { n: 2 } });
      expect((await store.scheduleSources.listHeld()).length).toBe(1);
      await store.scheduleSources.dropHeld('amion');
      expect(await store.scheduleSources.held('amion')).toBeUndefined();
    });

    it("replaces a source's unmapped rows with those of its latest sync", async ({ store }) => {
      await store.scheduleSources.replaceUnmapped('amion', [
        unmapped(2),
        unmapped(1, { reason: 'two-people', personIds: ['a', 'b'] }),
      ]);
      await store.scheduleSources.replaceUnmapped('qgenda', [unmapped(7, { sourceId: 'qgenda' })]);
      expect((await store.scheduleSources.unmapped('amion')).map((r) => [r.rowNo, r.reason])).toEqual([
        [1, 'two-people'],
        [2, 'nobody'],
      ]);
      expect((await store.scheduleSources.unmapped('amion'))[1]).toEqual(unmapped(2));
      await store.scheduleSources.replaceUnmapped('amion', []);
      expect((await store.scheduleSources.unmapped()).map((r) => r.sourceId)).toEqual(['qgenda']);
    });
  });
}
