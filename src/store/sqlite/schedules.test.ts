import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H, shift, t0 } from '../../../test/support/shifts.ts';
import type { Store } from '../port.ts';
import type { ScheduleChange, Shift } from '../schedule-port.ts';
import { openSqliteStore } from './index.ts';

/** Port behaviour is in test/store/contract/schedules.ts; here what only the SQLite adapter promises. */
describe('SQLite schedule store', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-schedules-'));
    store = openSqliteStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the on-call index for the lookup (no table scan over 100k shifts)', async () => {
    await store.close();
    const db = new Database(join(dir, 'switchboard.db'), { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM shifts WHERE assignment_id = @a AND start_at <= @t
         AND start_at > @t - (SELECT longest_ms FROM shift_spans WHERE assignment_id = @a) AND end_at > @t`,
      )
      .all({ a: 'x', t: 1 }) as Array<{ detail: string }>;
    db.close();
    store = openSqliteStore(dir);
    const text = plan.map((p) => p.detail).join('\n');
    expect(text).toMatch(
      /SEARCH shifts USING INDEX shifts_on_call \(assignment_id=\? AND start_at>\? AND start_at<\?\)/,
    );
  });

  it('writes a large sync a slice per turn: lookups meanwhile see the old schedule, writes meanwhile wait for its commit, the feed has every change in order', async () => {
    await store.schedules.upsertAssignments([
      { id: 'hospitalist-oncall', name: 'Hospitalist', type: 'oncall', department: 'Medicine' },
    ]);
    // 3,000 one-hour shifts back to back, each id kept, so the second sync changes every person.
    const version = (person: string): Shift[] =>
      Array.from({ length: 3000 }, (_, i) =>
        shift({
          id: `amion:${i}`,
          personId: person,
          start: new Date(t0 + i * H),
          end: new Date(t0 + (i + 1) * H),
        }),
      );
    const scope = { kind: 'window' as const, from: new Date(t0), to: new Date(t0 + 3000 * H) };
    const sync = (person: string) =>
      store.schedules.applySync({
        source: 'amion',
        scope,
        shifts: version(person),
        actor: 'sync:amion',
        now: new Date(t0),
      });
    await sync('p-ahmed');
    const before = await store.schedules.lastChangeSeq();

    const seen: string[] = [];
    /** For the write issued at each turn: how many lookups had been answered when it was applied. */
    const appliedAfter: number[] = [];
    let settled = false;
    const second = sync('p-chen').finally(() => {
      settled = true;
    });
    const writes: Promise<unknown>[] = [];
    while (!settled) {
      const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + 1500 * H + 1));
      seen.push(on.map((s) => s.personId).join());
      const turn = seen.length - 1;
      // A write on the main connection each turn: at once, or, while the sync holds the lock, after it.
      writes.push(
        store.schedules
          .upsertAssignments([{ id: `icu-${turn}`, name: 'ICU', type: 'team', department: 'ICU' }])
          .then(() => {
            appliedAfter[turn] = seen.length;
          }),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await second;
    await Promise.all(writes);
    expect(result.changes).toHaveLength(3000);
    // Answered while the sync was written, old schedule first, then the new one: never a mix, never none.
    for (const p of seen) expect(['p-ahmed', 'p-chen']).toContain(p);
    const switched = seen.indexOf('p-chen');
    expect(seen[0]).toBe('p-ahmed');
    expect(switched).toBeGreaterThan(0);
    expect(seen.slice(switched).every((p) => p === 'p-chen')).toBe(true);
    // Writes held back (applied turns after they were made) while the sync was written, a slice of 250
    // changes at a time: many turns of them answered from the old schedule, every one applied after the
    // commit (a turn or two may pass between the commit and the lock coming back).
    const held = appliedAfter.flatMap((after, turn) => (after > turn + 1 ? [turn] : []));
    expect(held.filter((turn) => seen[turn] === 'p-ahmed').length).toBeGreaterThan(20);
    for (const turn of held) expect(appliedAfter[turn]).toBeGreaterThanOrEqual(switched);
    expect((await store.schedules.getAssignment(`icu-${held[0]}`))?.name).toBe('ICU');
    const feed = await store.schedules.changes({ after: before, limit: 1000 });
    expect(feed.map((c) => c.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => before + i + 1));
    expect(feed.every((c) => c.kinds.join() === 'person-changed')).toBe(true);
    expect(await store.schedules.lastChangeSeq()).toBe(before + 3000);
  });

  it('a statement run outside the group commit while a large sync holds the lock waits for its commit', async () => {
    await store.schedules.upsertAssignments([
      { id: 'hospitalist-oncall', name: 'Hospitalist', type: 'oncall', department: 'Medicine' },
    ]);
    const version = (person: string): Shift[] =>
      Array.from({ length: 3000 }, (_, i) =>
        shift({
          id: `amion:${i}`,
          personId: person,
          start: new Date(t0 + i * H),
          end: new Date(t0 + (i + 1) * H),
        }),
      );
    const scope = { kind: 'window' as const, from: new Date(t0), to: new Date(t0 + 3000 * H) };
    const sync = (person: string) =>
      store.schedules.applySync({
        source: 'amion',
        scope,
        shifts: version(person),
        actor: 'x',
        now: new Date(t0),
      });
    await sync('p-ahmed');
    // The main connection, as a store that writes outside the group commit would use it.
    const db = (store.schedules as unknown as { db: Database.Database }).db;
    let settled = false;
    const second = sync('p-chen').finally(() => {
      settled = true;
    });
    let ranWhileLent = false;
    while (!settled && !ranWhileLent) {
      // A write still waiting a turn later means the lock is lent to the sync's writer thread.
      let applied = false;
      void store.schedules
        .upsertAssignments([{ id: 'probe', name: 'P', type: 'team', department: 'P' }])
        .then(() => {
          applied = true;
        });
      await new Promise((resolve) => setImmediate(resolve));
      if (!applied && !settled) {
        // On the same thread as a writer that needs this thread to go on, this would wait out the busy
        // timeout and throw SQLITE_BUSY; the writer thread goes on alone, so it waits for its commit.
        db.prepare(
          "INSERT INTO assignments (id, name, type, department) VALUES ('direct', 'D', 'team', 'D')",
        ).run();
        ranWhileLent = true;
      }
    }
    expect(ranWhileLent).toBe(true);
    expect((await second).changes).toHaveLength(3000);
    expect((await store.schedules.getAssignment('direct'))?.name).toBe('D');
    expect(await store.schedules.lastChangeSeq()).toBe(6000);
  });
  it('a large sync written by the writer thread leaves the same shifts and feed as one written on the store connection', async () => {
    // The same two syncs into two stores: one as it comes (the writer thread), one with notices, which
    // keeps a sync on the store's connection (its notices go through the outbox there).
    const other = mkdtempSync(join(tmpdir(), 'sb-schedules-'));
    const onConnection = openSqliteStore(other);
    try {
      const assignments = [
        { id: 'hospitalist-oncall', name: 'Hospitalist', type: 'oncall' as const, department: 'Medicine' },
        { id: 'icu-oncall', name: 'ICU', type: 'oncall' as const, department: 'ICU' },
      ];
      const first = Array.from({ length: 1200 }, (_, i) =>
        shift({
          id: i < 900 ? `qgenda:${i}@hospitalist-oncall` : `amion:icu-oncall:1:${t0 + i * H}:p-old`,
          assignmentId: i < 900 ? 'hospitalist-oncall' : 'icu-oncall',
          start: new Date(t0 + i * H),
          end: new Date(t0 + (i + 1) * H),
          ...(i < 900 ? { sourceKey: `${i}` } : {}),
        }),
      );
      const second: Shift[] = [];
      for (const [i, s] of first.entries()) {
        if (i < 300)
          second.push({ ...s, personId: 'p-chen' }); // changed in place
        else if (i < 450)
          continue; // removed
        else if (i < 600) second.push({ ...s, notes: 'swap pending', published: i % 2 === 0 });
        else if (i < 900)
          second.push(s); // the same
        // Keyed by slot: a new person is a new id, paired with the slot's old shift.
        else second.push({ ...s, id: s.id.replace('p-old', 'p-new'), personId: 'p-new' });
      }
      for (let i = 0; i < 200; i++) {
        second.push(
          shift({
            id: `qgenda:new-${i}@hospitalist-oncall`,
            start: new Date(t0 + (2000 + i) * H),
            end: new Date(t0 + (2001 + i) * H),
            sourceKey: `new-${i}`,
          }),
        );
      }
      const scope = { kind: 'window' as const, from: new Date(t0), to: new Date(t0 + 3000 * H) };
      for (const [i, shifts] of [first, second].entries()) {
        const sync = { source: 'amion', scope, shifts, actor: 'sync:amion', now: new Date(t0 + i * H) };
        await store.schedules.upsertAssignments(assignments);
        await onConnection.schedules.upsertAssignments(assignments);
        const lent = await store.schedules.applySync(sync);
        const here = await onConnection.schedules.applySync({ ...sync, notices: () => [] });
        expect(lent.changes).toEqual(here.changes);
      }
      const all = (s: Store) => s.schedules.shiftsOverlapping(new Date(0), new Date(t0 + 4000 * H));
      const sorted = (list: Shift[]) => list.sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(sorted(await all(store))).toEqual(sorted(await all(onConnection)));
      const feedOf = async (s: Store) => {
        const feed: ScheduleChange[] = [];
        for (let page = await s.schedules.changes({}); page.length > 0; ) {
          feed.push(...page);
          page = await s.schedules.changes({ after: page[page.length - 1].seq });
        }
        return feed;
      };
      const feed = await feedOf(store);
      expect(feed.length).toBe(1200 + 300 + 150 + 150 + 300 + 200);
      expect(feed).toEqual(await feedOf(onConnection));
      for (const id of ['hospitalist-oncall', 'icu-oncall']) {
        const at = new Date(t0 + 1000 * H + 1);
        expect(await store.schedules.shiftsAt(id, at)).toEqual(await onConnection.schedules.shiftsAt(id, at));
      }
    } finally {
      await onConnection.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
