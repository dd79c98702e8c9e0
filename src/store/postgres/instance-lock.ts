import { randomBytes } from 'node:crypto';
import type { PgClient, PgPool } from './database.ts';

/** How soon a lost lock is taken again. */
const RETRY_MS = 1000;

/**
 * This store's instance among those sharing the database: a random key, under which the messages it
 * stores are recorded (messages.owner), and a session-level advisory lock on that key held on a connection
 * of its own for as long as the store is open. The server drops the lock when the instance dies (its
 * connections end), so a survivor can tell that what the key owns has nobody left to route it
 * (PostgresMessageStore.adoptUnrouted). If the connection is lost while the instance lives (a database
 * restart), the lock is taken again on a new one; a survivor waits a while before it believes a key gone.
 *
 * The key lies above 2^32, apart from the single-key locks taken elsewhere (the migrations' lock is a
 * 32-bit hash), and below 2^53, so it stays exact as a JavaScript number.
 */
export class InstanceLock {
  readonly key = 2 ** 48 + randomBytes(6).readUIntBE(0, 6);
  private client: PgClient | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: PgPool,
    private readonly log?: { error(obj: object, msg: string): void },
  ) {}

  /** Takes the lock; resolves once it is held. */
  async start(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [this.key]);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    if (this.closed) {
      client.release(true);
      return;
    }
    this.client = client;
    const lost = (err: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.log?.error({ err }, 'the connection holding this instance lock was lost; taking it again');
      client.release(err);
      this.again();
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection ended')));
  }

  /** Lets go of the lock: the connection is closed, not returned to the pool with the lock on it. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.client?.release(true);
    this.client = undefined;
  }

  private again(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.start().catch((err) => {
        this.log?.error({ err }, 'this instance lock could not be taken again; trying again');
        this.again();
      });
    }, RETRY_MS);
    this.retry.unref();
  }
}
