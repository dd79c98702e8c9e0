/**
 * The lock by which the instances sharing a PostgreSQL database tell the live from the dead
 * (store/postgres/instance-lock.ts): held while the store is open, taken again when its connection is
 * cut (a database restart), let go at close.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPool } from '../../src/store/postgres/database.ts';
import { InstanceLock } from '../../src/store/postgres/instance-lock.ts';
import { until } from '../support/duties.ts';
import { testDatabaseUrl } from '../support/postgres-schema.ts';

const quiet = { error() {} };
const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.end();
});

/** The backend holding `key`'s advisory lock, if any. */
async function holder(pool: pg.Pool, key: number): Promise<number | undefined> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted
       AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`,
    [key],
  );
  return rows[0]?.pid;
}

describe('InstanceLock', () => {
  it('is held while open, taken again when its connection is cut, and let go at close', async () => {
    const pool = openPool(testDatabaseUrl, { maxConnections: 3 });
    const watcher = openPool(testDatabaseUrl, { maxConnections: 1 });
    pools.push(pool, watcher);
    const lock = new InstanceLock(pool, quiet);
    await lock.start();
    const first = await holder(watcher, lock.key);
    expect(first).toEqual(expect.any(Number));
    await watcher.query('SELECT pg_terminate_backend($1)', [first]);
    await until('the lock taken again', async () => {
      const now = await holder(watcher, lock.key);
      return now !== undefined && now !== first;
    });
    lock.close();
    await until('the lock let go', async () => (await holder(watcher, lock.key)) === undefined);
  });
});
