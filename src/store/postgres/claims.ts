import type { PgClient, PgPool } from './database.ts';

/** Which kind of row a claim is on: the two halves of a two-key advisory lock never mix. */
export const CLAIM_ESCALATION = 1;
export const CLAIM_DELIVERY = 2;

/**
 * Rows of work (escalation timers, outbox deliveries) claimed by exactly one instance while it works on
 * them: a session-level advisory lock per row, all held on one connection of this instance's own. Another
 * instance asking for due work skips what is claimed; when this instance dies its connection ends, the
 * server drops its locks, and a survivor finds the rows due at its next cycle (GoAlert's processing lock,
 * per row). Claiming takes no row lock and writes nothing, so the hot path pays one round trip per cycle.
 */
export class Claims {
  private client?: Promise<PgClient>;
  private readonly held = new Map<string, number>();

  constructor(
    private readonly pool: PgPool,
    private readonly log?: { error(obj: object, msg: string): void },
  ) {}

  /** Claims what it can of `ids`; resolves with those this instance holds (new or held already). */
  async claim(kind: number, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const fresh = ids.filter((id) => !this.held.has(`${kind}:${id}`));
    const won = new Set<number>();
    if (fresh.length > 0) {
      const client = await this.connection();
      const { rows } = await client.query<{ id: number }>(
        `SELECT id FROM unnest($2::bigint[]) AS id
         WHERE pg_try_advisory_lock($1::int, (id % 2147483647)::int)`,
        [kind, fresh],
      );
      for (const r of rows) {
        won.add(r.id);
        this.held.set(`${kind}:${r.id}`, r.id);
      }
    }
    return ids.filter((id) => won.has(id) || this.held.has(`${kind}:${id}`));
  }

  holds(kind: number, id: number): boolean {
    return this.held.has(`${kind}:${id}`);
  }

  /** Lets go of a claim (the work is written); nothing happens when this instance does not hold it. */
  async release(kind: number, id: number): Promise<void> {
    if (!this.held.delete(`${kind}:${id}`)) return;
    const client = await this.connection();
    await client.query('SELECT pg_advisory_unlock($1::int, ($2::bigint % 2147483647)::int)', [kind, id]);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    if (client) (await client.catch(() => undefined))?.release();
  }

  private connection(): Promise<PgClient> {
    if (!this.client) {
      const opening = this.pool.connect();
      this.client = opening;
      opening.then(
        (client) =>
          client.on('error', (err) => {
            // The server dropped the session and every lock with it: claim afresh on a new one.
            this.log?.error({ err }, 'the connection holding work claims was lost');
            if (this.client === opening) this.client = undefined;
            this.held.clear();
            client.release(err);
          }),
        () => {
          if (this.client === opening) this.client = undefined;
        },
      );
    }
    return this.client;
  }
}
