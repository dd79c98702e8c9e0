import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { day, H, shift, t0 } from '../../../test/support/shifts.ts';
import type { Store } from '../port.ts';
import { openSqliteStore } from './index.ts';

/** Port behaviour is in test/store/contract/schedule-changes.ts; here what only SQLite promises. */
describe('SQLite schedule change feed', () => {
  let dir: string;
  let store: Store;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-feed-'));
    store = openSqliteStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays consistent when two large syncs of one source overlap (the later one rereads inside its write)', async () => {
    const now = new Date(t0 - 24 * H);
    const version = (person: string) =>
      Array.from({ length: 5000 }, (_, i) =>
        shift({
          id: `amion:${i}`,
          personId: person,
          start: new Date(t0 + i * H),
          end: new Date(t0 + i * H + H),
        }),
      );
    const sync = (person: string) =>
      store.schedules.applySync({
        source: 'amion',
        scope: { kind: 'all' },
        shifts: version(person),
        actor: 'x',
        now,
      });
    await sync('a');
    // Both read the stored 'a' a page at a time, interleaved; whichever writes second finds the source moved.
    const [b, c] = await Promise.all([sync('b'), sync('c')]);
    expect(b.changes).toHaveLength(5000);
    expect(c.changes).toHaveLength(5000);
    expect(await store.schedules.lastChangeSeq()).toBe(15_000);
    const [first, second] = b.changes[0].seq < c.changes[0].seq ? [b, c] : [c, b];
    expect(first.changes[0].before?.personId).toBe('a');
    // The later sync's "before" is what the earlier one wrote, not the 'a' both started from.
    expect(second.changes[0].before?.personId).toBe(first.changes[0].after?.personId);
    const on = await store.schedules.shiftsAt('hospitalist-oncall', new Date(t0 + 10 * H));
    expect(on.map((s) => s.personId)).toEqual([second.changes[0].after?.personId]);
  });

  it('finds a sent shift by id when it is stored outside the window, on a large sync too', async () => {
    const now = new Date(t0 - 24 * H);
    const many = Array.from({ length: 3000 }, (_, i) => day(10 + i, 'a'));
    await store.schedules.applySync({
      source: 'amion',
      scope: { kind: 'all' },
      shifts: [day(5, 'a'), ...many],
      actor: 'x',
      now,
    });
    const moved = await store.schedules.applySync({
      source: 'amion',
      scope: { kind: 'window', from: new Date(t0), to: new Date(t0 + 24 * H) },
      shifts: [{ ...day(5, 'a'), start: new Date(t0), end: new Date(t0 + 12 * H) }, ...many.slice(0, 2500)],
      actor: 'x',
      now,
    });
    expect(moved.changes.map((c) => [c.shiftId, c.kinds])).toEqual([['amion:5', ['time-changed']]]);
  });

  it('uses the cursor index', async () => {
    await store.schedules.replaceShifts('amion', [day(0, 'a')], 'config');
    await store.close();
    const db = new Database(join(dir, 'switchboard.db'), { readonly: true });
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((p) => p.detail)
        .join('\n');
    expect(plan('SELECT * FROM schedule_changes WHERE seq > 5 ORDER BY seq LIMIT 10')).toMatch(
      /USING INTEGER PRIMARY KEY/,
    );
    expect(
      plan("SELECT * FROM schedule_changes WHERE source = 'x' AND seq > 5 ORDER BY seq LIMIT 10"),
    ).toMatch(/schedule_changes_source/);
    db.close();
    store = openSqliteStore(dir);
  });
});
