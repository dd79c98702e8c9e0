import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer } from './checkpointer.ts';
import { openSqlite, type SqliteDb } from './database.ts';

describe('Checkpointer', () => {
  let dir: string;
  let db: SqliteDb;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the WAL on its own thread, and the WAL starts over instead of growing without end', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-checkpointer-'));
    db = openSqlite(dir);
    const checkpointer = new Checkpointer(db, { intervalMs: 5, resetFrames: 200 });
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const blob = Buffer.alloc(3000, 7);
    const wal = `${db.name}-wal`;
    let largestWal = 0;
    // About 2,000 pages in all, written in small commits while the worker copies; each commit gives the
    // main connection its chance to finish the copy, as GroupCommit does after every COMMIT. The writer
    // pauses 3 ms a round so the test holds on a loaded machine; with a writer that never pauses the WAL
    // grows to the whole 9.5 MB unless finishIfDue() runs (checked by hand, too timing-bound for a test).
    for (let round = 0; round < 100; round++) {
      db.transaction(() => {
        for (let i = 0; i < 20; i++) insert.run(blob);
      })();
      checkpointer.finishIfDue();
      largestWal = Math.max(largestWal, statSync(wal).size);
      await new Promise((r) => setTimeout(r, 3));
    }
    await checkpointer.stop();
    // Without checkpoints the WAL would hold every page (over 8 MB); started over, it stays small.
    expect(largestWal).toBeLessThan(4 * 1024 * 1024);
    // Everything reached the database file: a fresh reader after a full checkpoint sees every row.
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(statSync(db.name).size).toBeGreaterThan(2000 * 3000);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
  });
});
