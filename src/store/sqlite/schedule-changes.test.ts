import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../port.ts';
import type { Shift } from '../schedule-port.ts';
import { openSqliteStore } from './index.ts';

const H = 3_600_000;
const t0 = Date.parse('2026-11-22T12:00:00Z');

function shift(over: Partial<Shift> & { id: string }): Shift {
  return {
    assignmentId: 'hospitalist-oncall',
    personId: 'p-ahmed',
    start: new Date(t0),
    end: new Date(t0 + 12 * H),
    callOrder: 1,
    notes: '',
    published: true,
    source: 'amion',
    ...over,
  };
}

/** A day of 12-hour shifts per person, starting at t0 + day. */
function day(d: number, person: string, over: Partial<Shift> = {}): Shift {
  return shift({
    id: `amion:${d}`,
    personId: person,
    start: new Date(t0 + d * 24 * H),
    end: new Date(t0 + d * 24 * H + 12 * H),
    ...over,
  });
}

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
