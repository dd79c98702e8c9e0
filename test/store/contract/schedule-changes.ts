import { describe, expect } from 'vitest';
import { day, H, shift, t0 } from '../../support/shifts.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const now = new Date(t0 - 24 * H);

/** The schedule change feed and applySync (store/schedule-port.ts), run against each adapter. */
export function scheduleChangesContract(makeStores: () => StoreFactory): void {
  describe(`schedule change feed (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    const window = (from: number, to: number) => ({
      kind: 'window' as const,
      from: new Date(from),
      to: new Date(to),
    });

    it('writes the changes with the shifts, and nothing for a resync of the same schedule', async ({
      store,
    }) => {
      const first = [day(0, 'p-ahmed'), day(1, 'p-baker')];
      const r1 = await store.schedules.applySync({
        source: 'amion',
        scope: window(t0, t0 + 2 * 24 * H),
        shifts: first,
        actor: 'sync:amion',
        now,
      });
      expect(r1.applied).toBe(true);
      expect(r1.changes.map((c) => [c.seq, c.kinds, c.actor])).toEqual([
        [1, ['added'], 'sync:amion'],
        [2, ['added'], 'sync:amion'],
      ]);
      const again = await store.schedules.applySync({
        source: 'amion',
        scope: window(t0, t0 + 2 * 24 * H),
        shifts: first.map((s) => ({ ...s })),
        actor: 'sync:amion',
        now,
      });
      expect(again.changes).toEqual([]);
      expect(await store.schedules.lastChangeSeq()).toBe(2);
      const swapped = await store.schedules.applySync({
        source: 'amion',
        scope: window(t0, t0 + 2 * 24 * H),
        shifts: [day(0, 'p-ahmed'), day(1, 'p-chen', { notes: 'sick call' })],
        actor: 'sync:amion',
        now,
      });
      expect(swapped.changes.map((c) => [c.seq, c.shiftId, c.kinds])).toEqual([
        [3, 'amion:1', ['person-changed', 'notes-changed']],
      ]);
      const feed = await store.schedules.changes({ after: 2 });
      expect(feed).toEqual(swapped.changes);
      expect(feed[0].before?.personId).toBe('p-baker');
      expect(feed[0].after?.personId).toBe('p-chen');
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + 24 * H + H));
      expect(on.map((s) => s.personId)).toEqual(['p-chen']);
    });

    it('keeps shifts outside the window and removes those inside it that the sync no longer lists', async ({
      store,
    }) => {
      await store.schedules.applySync({
        source: 'amion',
        scope: window(t0, t0 + 3 * 24 * H),
        shifts: [day(0, 'a'), day(1, 'b'), day(2, 'c')],
        actor: 'sync:amion',
        now,
      });
      const r = await store.schedules.applySync({
        source: 'amion',
        scope: window(t0 + 24 * H, t0 + 2 * 24 * H),
        shifts: [],
        actor: 'sync:amion',
        now,
      });
      expect(r.changes.map((c) => [c.shiftId, c.kinds])).toEqual([['amion:1', ['removed']]]);
      expect(r.inScope).toBe(1);
      const left = await store.schedules.shiftsOverlapping(new Date(t0), new Date(t0 + 3 * 24 * H));
      expect(left.map((s) => s.id)).toEqual(['amion:0', 'amion:2']);
    });

    it('applies a delta: upserts by id and deletes by the source key', async ({ store }) => {
      await store.schedules.applySync({
        source: 'push',
        scope: { kind: 'delta', deletedKeys: [] },
        shifts: [
          day(0, 'a', { id: 'push:k1@hosp', source: 'push', sourceKey: 'k1' }),
          day(0, 'a', { id: 'push:k1@icu', source: 'push', sourceKey: 'k1', assignmentId: 'icu' }),
          day(1, 'b', { id: 'push:k2@hosp', source: 'push', sourceKey: 'k2' }),
        ],
        actor: 'push:bolt',
        now,
      });
      const r = await store.schedules.applySync({
        source: 'push',
        scope: { kind: 'delta', deletedKeys: ['k1'] },
        shifts: [day(1, 'c', { id: 'push:k2@hosp', source: 'push', sourceKey: 'k2' })],
        actor: 'push:bolt',
        now,
      });
      expect(r.changes.map((c) => [c.shiftId, c.kinds])).toEqual([
        ['push:k1@hosp', ['removed']],
        ['push:k1@icu', ['removed']],
        ['push:k2@hosp', ['person-changed']],
      ]);
      expect(
        (await store.schedules.shiftsOverlapping(new Date(t0), new Date(t0 + 9 * 24 * H))).map((s) => s.id),
      ).toEqual(['push:k2@hosp']);
    });

    it('writes nothing on a dry run or when the guard refuses, and returns the would-be changes', async ({
      store,
    }) => {
      await store.schedules.replaceShifts('amion', [day(0, 'a'), day(1, 'b')]);
      const before = await store.schedules.lastChangeSeq();
      const dry = await store.schedules.applySync({
        source: 'amion',
        scope: { kind: 'all' },
        shifts: [],
        actor: 'admin',
        now,
        dryRun: true,
      });
      expect(dry).toMatchObject({ applied: false, inScope: 2 });
      expect(dry.changes.map((c) => [c.seq, c.kinds])).toEqual([
        [0, ['removed']],
        [0, ['removed']],
      ]);
      const refused = await store.schedules.applySync({
        source: 'amion',
        scope: { kind: 'all' },
        shifts: [],
        actor: 'sync:amion',
        now,
        accept: (changes) => changes.length < 2,
      });
      expect(refused.applied).toBe(false);
      expect(await store.schedules.lastChangeSeq()).toBe(before);
      expect(await store.schedules.sources()).toEqual(['amion']);
    });

    it('rolls back the shifts and the feed together when a sync fails part-way', async ({ store }) => {
      await store.schedules.replaceShifts('amion', [day(0, 'a')]);
      await store.schedules.replaceShifts('yaml', [shift({ id: 'taken', source: 'yaml' })]);
      const seq = await store.schedules.lastChangeSeq();
      // The second shift's id belongs to another source: the insert fails after the first was written.
      await expect(
        store.schedules.applySync({
          source: 'amion',
          scope: { kind: 'all' },
          shifts: [day(0, 'z'), day(1, 'b', { id: 'taken' })],
          actor: 'sync:amion',
          now,
        }),
      ).rejects.toThrow(/unique/i);
      expect(await store.schedules.lastChangeSeq()).toBe(seq);
      expect((await store.schedules.changes({ after: seq })).length).toBe(0);
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + H));
      expect(on.map((s) => s.personId).sort()).toEqual(['a', 'p-ahmed']);
    });

    it('numbers the feed without a hole or a repeat across many syncs, and pages through it by cursor', async ({
      store,
    }) => {
      const syncs = [];
      for (let i = 0; i < 40; i++) {
        // Concurrent syncs of two sources share group commits; each still gets its own run of numbers.
        syncs.push(
          store.schedules.applySync({
            source: 'amion',
            scope: { kind: 'all' },
            shifts: [day(0, `a${i}`), day(1, `b${i}`)],
            actor: 'sync:amion',
            now,
          }),
          store.schedules.applySync({
            source: 'qgenda',
            scope: { kind: 'all' },
            shifts: [day(0, `q${i}`, { id: 'qgenda:0', source: 'qgenda', assignmentId: 'icu' })],
            actor: 'sync:qgenda',
            now,
          }),
        );
      }
      await Promise.all(syncs);
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const page = await store.schedules.changes({ after, limit: 7 });
        if (page.length === 0) break;
        seen.push(...page.map((c) => c.seq));
        after = page[page.length - 1].seq;
      }
      // First sync adds 2 + 1; each later one changes the person of 2 + 1.
      expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(await store.schedules.lastChangeSeq()).toBe(120);
      const icu = await store.schedules.changes({ assignmentId: 'icu', limit: 1000 });
      expect(icu).toHaveLength(40);
      expect(icu.every((c) => c.source === 'qgenda')).toBe(true);
      expect(await store.schedules.changes({ source: 'qgenda', assignmentId: 'hospitalist-oncall' })).toEqual(
        [],
      );
      // Concurrent syncs commit in some order (one at a time); the numbers follow that order.
      const qgendaSeqs = new Set(icu.map((c) => c.seq));
      expect((await store.schedules.changes({ source: 'amion', after: 100 })).map((c) => c.seq)).toEqual(
        seen.filter((s) => s > 100 && !qgendaSeqs.has(s)),
      );
    });

    it('keeps the feed across a reopen', async ({ store, stores }) => {
      await store.schedules.replaceShifts('amion', [day(0, 'a')], 'config');
      await store.close();
      store = await stores.open();
      expect(await store.schedules.lastChangeSeq()).toBe(1);
      const [c] = await store.schedules.changes({});
      expect(c).toMatchObject({ seq: 1, source: 'amion', actor: 'config', kinds: ['added'], before: null });
      expect(c.after).toEqual(day(0, 'a'));
    });
  });
}
