import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/port.ts';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

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

/**
 * Stores on PostgreSQL, each factory in a schema of its own (`sb_<random>`), dropped at cleanup, so runs
 * and suites never see each other's rows.
 */
export function postgresStores(options: PostgresStoreOptions = {}): StoreFactory {
  const opened: Store[] = [];
  let schema: Promise<string> | undefined;
  return {
    kind: 'postgres',
    async open() {
      schema ??= createTestSchema();
      const store = await openPostgresStore(testDatabaseUrl, {
        ...options,
        schema: await schema,
        maxConnections: 4,
      });
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened) await s.close().catch(() => {});
      if (schema) await dropTestSchema(await schema);
    },
  };
}
