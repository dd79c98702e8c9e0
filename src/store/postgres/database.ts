import pg from 'pg';
import { migrations } from '../migrations/index.ts';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PostgresOptions {
  /**
   * The schema Switchboard's tables live in (set as the search_path of every connection). Test suites each
   * take a fresh one so runs never collide. @defaultValue the server's default (public)
   */
  schema?: string;
  /** Connections in the pool. @defaultValue 10 */
  maxConnections?: number;
  /** Hears of a connection the server dropped (a restart, say); the pool opens a new one when asked. */
  log?: { error(obj: object, msg: string): void };
}

/** BIGINT (oid 20) as a number: ids and epoch milliseconds stay well below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A pool on the cluster's database. A `durable` pool commits with synchronous_commit on, whatever the
 * server's default: a commit that returned is on the primary's disk, which is what "durable" means for
 * an ACK (docs/storage.md). A `derived` pool commits with it off, for what routing rebuilds from stored
 * messages after a crash (census, alerts, statuses): the commit returns before its WAL flush, and the
 * server's WAL writer flushes it within wal_writer_delay, or the next synchronous commit does (the WAL
 * is one sequence: flushing a later commit flushes every earlier one). Visible to every instance at once.
 */
export function openPool(
  url: string,
  options: PostgresOptions = {},
  commits: 'durable' | 'derived' = 'durable',
): PgPool {
  const settings = [`-c synchronous_commit=${commits === 'durable' ? 'on' : 'off'}`];
  if (options.schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema))
      throw new Error(`not a plain schema name: ${options.schema}`);
    settings.push(`-c search_path=${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    options: settings.join(' '),
    types,
  });
  // An idle connection the server closed must not crash the process; the next query opens another.
  pool.on('error', (err) => options.log?.error({ err }, 'a PostgreSQL connection was lost'));
  return pool;
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
export async function inTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Applies the migrations this database lacks, in order, each in its own transaction, recorded in
 * `schema_migrations` like the SQLite adapter does (one history for both). Several instances starting at
 * once wait on one advisory lock, so each step runs once per cluster.
 */
export async function migrate(pool: PgPool): Promise<void> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ key: string }>(
      "SELECT hashtext('switchboard migrations ' || current_schema())::text AS key",
    );
    const key = Number(rows[0].key);
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(done.rows.map((r) => r.version));
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.postgres);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [m.version, m.name, Date.now()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(error as Error).message}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    client.release();
  }
}

/**
 * Writes still on their way to the database. Every write resolves only once PostgreSQL committed it (and
 * with synchronous_commit on, that is on the disk), so `durable()` only waits for the ones in flight.
 */
export class WritesInFlight {
  private readonly pending = new Set<Promise<unknown>>();
  /** A write committed since the last flush (it may have committed without one). */
  private unflushed = false;

  /** `flush` puts every commit made so far on the disk (flushWal on a durable pool). */
  constructor(private readonly flush: () => Promise<void>) {}

  track<T>(write: Promise<T>): Promise<T> {
    this.pending.add(write);
    const done = () => {
      this.pending.delete(write);
      this.unflushed = true;
    };
    write.then(done, done);
    return write;
  }

  /** Resolves when every write started so far has settled; rejects when one of them failed. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Resolves when every write that resolved so far is on the disk. */
  async durable(): Promise<void> {
    await this.settled();
    if (!this.unflushed) return;
    this.unflushed = false;
    await this.flush();
  }
}

/**
 * Flushes the server's WAL up to now: a transaction that takes a transaction id writes a commit record,
 * and with synchronous_commit on its COMMIT returns once the WAL up to that record, and so every commit
 * made before it on any connection of any instance, is on the disk.
 */
export async function flushWal(durablePool: PgPool): Promise<void> {
  await durablePool.query('SELECT txid_current()');
}
