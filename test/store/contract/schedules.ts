import { describe, expect } from 'vitest';
import type { Shift } from '../../../src/store/schedule-port.ts';
import { shift as amionShift, H, t0 } from '../../support/shifts.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

/** This suite's shifts come from the schedule file unless a test says otherwise. */
const shift = (over: Partial<Shift> & { id: string }): Shift => amionShift({ source: 'yaml', ...over });

/** What every schedule store does (store/schedule-port.ts), run against each adapter. */
export function schedulesContract(makeStores: () => StoreFactory): void {
  describe(`schedule store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('round-trips assignments and upserts them by id', async ({ store }) => {
      await store.schedules.upsertAssignments([
        { id: 'icu-intensivist', name: 'ICU intensivist', type: 'oncall', department: 'Critical Care' },
        { id: 'rapid-response', name: 'Rapid response', type: 'team', department: 'Nursing' },
      ]);
      await store.schedules.upsertAssignments([
        { id: 'rapid-response', name: 'Rapid response team', type: 'team', department: 'Critical Care' },
      ]);
      expect(await store.schedules.listAssignments()).toEqual([
        { id: 'icu-intensivist', name: 'ICU intensivist', type: 'oncall', department: 'Critical Care' },
        { id: 'rapid-response', name: 'Rapid response team', type: 'team', department: 'Critical Care' },
      ]);
      expect((await store.schedules.getAssignment('icu-intensivist'))?.name).toBe('ICU intensivist');
      expect(await store.schedules.getAssignment('nope')).toBeUndefined();
    });

    it('round-trips every shift field and survives a reopen', async ({ store, stores }) => {
      const s = shift({ id: 'yaml:1', notes: 'covers "4 West", too', published: false, callOrder: 2 });
      expect(await store.schedules.replaceShifts('yaml', [s])).toEqual({ removed: 0, inserted: 1 });
      await store.close();
      store = await stores.open();
      expect(await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + H))).toEqual([s]);
    });

    it('answers who is on at an instant: start inclusive, end exclusive, by call order', async ({
      store,
    }) => {
      await store.schedules.replaceShifts('yaml', [
        shift({ id: 'a', personId: 'p-day', start: new Date(t0), end: new Date(t0 + 12 * H), callOrder: 2 }),
        shift({ id: 'b', personId: 'p-backup', start: new Date(t0 - 12 * H), end: new Date(t0 + 36 * H) }),
        shift({ id: 'c', personId: 'p-night', start: new Date(t0 + 12 * H), end: new Date(t0 + 24 * H) }),
        shift({ id: 'd', assignmentId: 'other', personId: 'p-other' }),
      ]);
      const ids = async (at: number) =>
        (await store.schedules.shiftsAt('hospitalist-oncall', new Date(at))).map((s) => s.personId);
      expect(await ids(t0)).toEqual(['p-backup', 'p-day']);
      expect(await ids(t0 + 12 * H)).toEqual(['p-backup', 'p-night']);
      expect(await ids(t0 - 13 * H)).toEqual([]);
      expect(await ids(t0 + 36 * H)).toEqual([]);
      expect(await store.schedules.shiftsAt('nobody-has-shifts', new Date(t0))).toEqual([]);
    });

    it('replaces one source atomically and leaves the others alone', async ({ store }) => {
      await store.schedules.replaceShifts('yaml', [shift({ id: 'y1' }), shift({ id: 'y2', callOrder: 2 })]);
      await store.schedules.replaceShifts('csv:extra.csv', [
        shift({ id: 'c1', source: 'csv:extra.csv', personId: 'p-csv', callOrder: 3 }),
      ]);
      const result = await store.schedules.replaceShifts('yaml', [shift({ id: 'y3', personId: 'p-new' })]);
      expect(result).toEqual({ removed: 2, inserted: 1 });
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0));
      expect(on.map((s) => s.id)).toEqual(['y3', 'c1']);
      expect(await store.schedules.sources()).toEqual(['csv:extra.csv', 'yaml']);
      await store.schedules.replaceShifts('yaml', []);
      expect(await store.schedules.sources()).toEqual(['csv:extra.csv']);
    });

    it('refuses a bad batch as a whole and keeps the old shifts', async ({ store }) => {
      await store.schedules.replaceShifts('yaml', [shift({ id: 'keep' })]);
      await expect(
        store.schedules.replaceShifts('yaml', [shift({ id: 'x' }), shift({ id: 'x' })]),
      ).rejects.toThrow();
      await expect(
        store.schedules.replaceShifts('yaml', [shift({ id: 'bad', end: new Date(t0) })]),
      ).rejects.toThrow(/end after it starts/);
      await expect(
        store.schedules.replaceShifts('yaml', [shift({ id: 'z', source: 'demo' })]),
      ).rejects.toThrow(/belongs to source demo/);
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0));
      expect(on.map((s) => s.id)).toEqual(['keep']);
    });

    it('finds a long shift once a shorter source is replaced (the span bound is kept per assignment)', async ({
      store,
    }) => {
      await store.schedules.replaceShifts('yaml', [shift({ id: 'short', end: new Date(t0 + H) })]);
      await store.schedules.replaceShifts('demo', [
        shift({ id: 'week', source: 'demo', personId: 'p-week', end: new Date(t0 + 7 * 24 * H) }),
      ]);
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + 6 * 24 * H));
      expect(on.map((s) => s.personId)).toEqual(['p-week']);
    });

    it('lists shifts overlapping an interval, for one assignment or all', async ({ store }) => {
      await store.schedules.replaceShifts('yaml', [
        shift({ id: 'before', start: new Date(t0 - 24 * H), end: new Date(t0) }),
        shift({ id: 'inside', start: new Date(t0), end: new Date(t0 + 12 * H) }),
        shift({ id: 'long', start: new Date(t0 - 48 * H), end: new Date(t0 + 48 * H), callOrder: 2 }),
        shift({ id: 'after', start: new Date(t0 + 12 * H), end: new Date(t0 + 24 * H) }),
        shift({ id: 'icu', assignmentId: 'icu', start: new Date(t0 + H), end: new Date(t0 + 2 * H) }),
      ]);
      const from = new Date(t0);
      const to = new Date(t0 + 12 * H);
      // Sorted by assignment id ('hospitalist-oncall' < 'icu'), then start.
      expect((await store.schedules.shiftsOverlapping(from, to)).map((s) => s.id)).toEqual([
        'long',
        'inside',
        'icu',
      ]);
      expect(
        (await store.schedules.shiftsOverlapping(from, to, 'hospitalist-oncall')).map((s) => s.id),
      ).toEqual(['long', 'inside']);
    });

    it('streams the shifts overlapping an interval by start, assignment, call order and id, across pages', async ({
      store,
    }) => {
      // 3 starts x 10 assignments x 3 call orders x 30 ids = 2,700 shifts: a page's thousandth shift falls
      // inside a run of 900 equal starts, which must still come whole and in order, once.
      const many: Shift[] = [];
      for (let h = 0; h < 3; h++) {
        for (let a = 0; a < 10; a++) {
          for (let c = 3; c >= 1; c--) {
            for (let i = 0; i < 30; i++) {
              many.push(
                shift({
                  id: `${i % 2 ? 'B' : 'a'}${i}-${h}-${a}-${c}`,
                  assignmentId: a % 2 ? `Z${a}` : `y${a}`,
                  start: new Date(t0 + h * H),
                  end: new Date(t0 + (h + 12) * H),
                  callOrder: c,
                  published: i !== 7,
                }),
              );
            }
          }
        }
      }
      const edges = [
        shift({ id: 'ended-at-from', start: new Date(t0 - 12 * H), end: new Date(t0) }),
        shift({ id: 'long-still-on', start: new Date(t0 - 40 * H), end: new Date(t0 + H) }),
        shift({ id: 'starts-at-to', start: new Date(t0 + 24 * H), end: new Date(t0 + 30 * H) }),
        shift({ id: 'last', start: new Date(t0 + 23 * H), end: new Date(t0 + 30 * H) }),
      ];
      await store.schedules.replaceShifts('yaml', [...many, ...edges]);
      const from = new Date(t0);
      const to = new Date(t0 + 24 * H);
      const bytewise = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
      const expected = (drafts: boolean) =>
        [...many, edges[1], edges[3]]
          .filter((s) => drafts || s.published)
          .sort(
            (x, y) =>
              x.start.getTime() - y.start.getTime() ||
              bytewise(x.assignmentId, y.assignmentId) ||
              x.callOrder - y.callOrder ||
              bytewise(x.id, y.id),
          )
          .map((s) => s.id);
      const read = async (drafts?: boolean) => {
        const ids: string[] = [];
        for await (const s of store.schedules.shiftsByStart(from, to, { drafts })) {
          ids.push(s.id);
          // The store keeps taking writes while a file is being read.
          if (ids.length === 1500 && drafts) {
            const away = new Date(t0 + 100 * H);
            await store.schedules.replaceShifts('other', [
              shift({ id: 'other-1', source: 'other', start: away, end: new Date(t0 + 101 * H) }),
            ]);
          }
        }
        return ids;
      };
      const published = await read();
      expect(published[0]).toBe('long-still-on');
      expect(published[published.length - 1]).toBe('last');
      expect(published).toEqual(expected(false));
      expect(await read(true)).toEqual(expected(true));
      const first = await store.schedules.shiftsByStart(from, to)[Symbol.asyncIterator]().next();
      expect(first.value).toEqual(edges[1]);
      const none: Shift[] = [];
      for await (const s of store.schedules.shiftsByStart(new Date(t0 + 40 * H), new Date(t0 + 50 * H))) {
        none.push(s);
      }
      expect(none).toEqual([]);
    });

    it('reads in a file what a small sync wrote just before it, each time', async ({ store }) => {
      // SQLite reads a file on a connection of its own, which sees only what is committed.
      await store.schedules.replaceShifts('yaml', [shift({ id: 'first' })]);
      const ids: string[] = [];
      for await (const s of store.schedules.shiftsByStart(new Date(t0 - 24 * H), new Date(t0 + 48 * H))) {
        ids.push(s.id);
      }
      expect(ids).toEqual(['first']);
      await store.schedules.replaceShifts('yaml', [
        shift({ id: 'first' }),
        shift({ id: 'second', start: new Date(t0 + H), end: new Date(t0 + 13 * H) }),
      ]);
      const again: string[] = [];
      for await (const s of store.schedules.shiftsByStart(new Date(t0 - 24 * H), new Date(t0 + 48 * H))) {
        again.push(s.id);
      }
      expect(again).toEqual(['first', 'second']);
    });
  });
}
