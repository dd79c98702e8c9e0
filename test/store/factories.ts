import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../src/store/port.ts';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

/**
 * Where a contract suite gets its stores: each test opens a fresh, empty store, may open the same one
 * again (a restart, or a second instance on the same database), and removes everything at the end.
 */
export interface StoreFactory {
  readonly kind: Store['kind'];
  /** Opens a store on this factory's storage; the first call finds it empty. */
  open(): Promise<Store>;
  /** Removes the storage (every store opened on it is closed first). */
  cleanup(): Promise<void>;
}

export function sqliteStores(): StoreFactory {
  const dir = mkdtempSync(join(tmpdir(), 'sb-contract-'));
  const opened: Store[] = [];
  return {
    kind: 'sqlite',
    async open() {
      const store = openSqliteStore(dir);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened) await s.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The test database (CI's PostgreSQL); SWITCHBOARD_TEST_DATABASE_URL points elsewhere. */
export const testDatabaseUrl =
  process.env.SWITCHBOARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Stores on PostgreSQL, each factory in a schema of its own (`sb_<random>`), dropped at cleanup, so runs
 * and suites never see each other's rows.
 */
export function postgresStores(options: PostgresStoreOptions = {}): StoreFactory & { schema: string } {
  const schema = `sb_${randomBytes(6).toString('hex')}`;
  const opened: Store[] = [];
  let created = false;
  return {
    kind: 'postgres',
    schema,
    async open() {
      if (!created) {
        await admin(`CREATE SCHEMA ${schema}`);
        created = true;
      }
      const store = await openPostgresStore(testDatabaseUrl, { ...options, schema, maxConnections: 4 });
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened) await s.close().catch(() => {});
      if (created) await admin(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
