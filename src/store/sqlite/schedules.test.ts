import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../port.ts';
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
});
