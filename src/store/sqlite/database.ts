import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../migrations/index.ts';

export type SqliteDb = Database.Database;

/**
 * Opens (creating if needed) the embedded database in `dataDir`. WAL with synchronous=FULL: a commit that
 * returned is on the disk, which is what lets a listener acknowledge after it.
 */
export function openSqlite(dataDir: string): SqliteDb {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'switchboard.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: SqliteDb): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sqlite);
      record.run(m.version, m.name, Date.now());
    })();
  }
}

/**
 * Group commit: writes asked for in the same turn of the event loop, from any connection, share one
 * transaction and so one fsync. Each write runs in its own savepoint, so one failing write is rolled back
 * alone and rejects only its own caller. A caller's promise settles only after the commit.
 */
export class GroupCommit {
  private queue: Array<{ fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> =
    [];
  private scheduled = false;
  private readonly flushAll: () => void;

  constructor(db: SqliteDb) {
    const runOne = db.transaction((fn: () => unknown) => fn());
    const runBatch = db.transaction((batch: GroupCommit['queue']) => {
      const out: Array<{ ok: boolean; value: unknown }> = [];
      for (const item of batch) {
        try {
          out.push({ ok: true, value: runOne(item.fn) });
        } catch (error) {
          out.push({ ok: false, value: error });
        }
      }
      return out;
    });
    this.flushAll = () => {
      const batch = this.queue;
      this.queue = [];
      this.scheduled = false;
      if (batch.length === 0) return;
      let results: Array<{ ok: boolean; value: unknown }>;
      try {
        results = runBatch(batch);
      } catch (error) {
        for (const item of batch) item.reject(error);
        return;
      }
      batch.forEach((item, i) => {
        if (results[i].ok) item.resolve(results[i].value);
        else item.reject(results[i].value);
      });
    };
  }

  write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushAll);
      }
    });
  }

  /** Commits whatever is queued now (used at shutdown). */
  flush(): void {
    if (this.queue.length > 0) this.flushAll();
  }
}
