import type { QueryResult, QueryResultRow } from 'pg';
import type { PgClient, PgPool } from './database.ts';
import { StatementBatch } from './statement-batch.ts';

/**
 * Due rows a cycle reads per row it asks for: what other instances hold is passed over by claimFirst,
 * so the candidates reach past the limit.
 */
export const CANDIDATES_PER_CLAIM = 4;

/** Which kind of row a claim is on: the two halves of a two-key advisory lock never mix. */
export const CLAIM_ESCALATION = 1;
export const CLAIM_DELIVERY = 2;

/**
 * Rows of work (escalation timers, outbox deliveries) claimed by exactly one instance while it works on
 * them: a session-level advisory lock per row, all held on one connection of this instance's own. Another
 * instance asking for due work skips what is claimed; when this instance dies its connection ends, the
 * server drops its locks, and a survivor finds the rows due at its next cycle (GoAlert's processing lock,
 * per row). Claiming takes no row lock and writes nothing, so the hot path pays one round trip per cycle.
 *
 * Locks are let go in batches (StatementBatch), so a cycle that writes 500 timers pays a few round trips
 * for their claims, not 500.
 */
export class Claims {
  private client?: Promise<PgClient>;
  private readonly held = new Map<string, number>();
  /** The statement on the claims connection now (see query). */
  private turn: Promise<unknown> = Promise.resolve();
  /** Claims let go of, unlocked in the server together (see release). */
  private readonly releases = new StatementBatch<[kind: number, id: number], void>(async (claims) => {
    try {
      await this.query(
        `SELECT pg_advisory_unlock(k, (id % 2147483647)::int)
         FROM unnest($1::int[], $2::bigint[]) AS r (k, id)`,
        [claims.map(([k]) => k), claims.map(([, id]) => id)],
      );
    } catch (err) {
      // The session is gone, and its locks with it: nothing is left held.
      this.log?.error({ err }, 'letting go of work claims failed');
    }
    return claims.map(() => undefined);
  });

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
      const { rows } = await this.query<{ id: number }>(
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

  /**
   * Claims rows as it reads them. `candidates` is a statement over `params` ($1…) whose column `id` lists
   * the rows in the order they should be taken. Rows another instance holds are passed over, so instances
   * sharing a backlog each take a part of it instead of all reaching for its first rows. Resolves with the
   * first `limit` candidates this instance holds (won now or held already), in the candidates' order. Locks
   * are tried one candidate at a time and stop at the limit: none is taken on a row not returned.
   */
  async claimFirst(kind: number, candidates: string, params: unknown[], limit: number): Promise<number[]> {
    const mine = [...this.held].filter(([key]) => key.startsWith(`${kind}:`)).map(([, id]) => id);
    const n = params.length;
    // CASE keeps a held row from being locked again: session locks stack, and one release would not do.
    const { rows } = await this.query<{ id: number }>(
      `WITH candidates AS MATERIALIZED (${candidates})
       SELECT id FROM candidates
       WHERE CASE WHEN id = ANY($${n + 1}::bigint[]) THEN true
                  ELSE pg_try_advisory_lock($${n + 2}::int, (id % 2147483647)::int) END
       LIMIT $${n + 3}`,
      [...params, mine, kind, limit],
    );
    for (const r of rows) this.held.set(`${kind}:${r.id}`, r.id);
    return rows.map((r) => r.id);
  }

  holds(kind: number, id: number): boolean {
    return this.held.has(`${kind}:${id}`);
  }

  /**
   * Lets go of a claim (the work is written); nothing happens when this instance does not hold it. The
   * releases asked for at once go to the server together; each resolves once its lock is let go.
   */
  release(kind: number, id: number): Promise<void> {
    if (!this.held.delete(`${kind}:${id}`)) return Promise.resolve();
    return this.releases.add([kind, id]);
  }

  async close(): Promise<void> {
    await this.releases.settled();
    await this.turn;
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    const open = await client?.catch(() => undefined);
    if (!open) return;
    // Let go of every claim before the connection goes: another instance can take them at once, instead of
    // when the server has noticed the session end.
    await open.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    open.release();
  }

  /**
   * One statement at a time on the claims connection: claims and releases asked for at once wait their
   * turn here, not in the driver's own queue (which pg 9 drops).
   */
  private query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    const next = this.turn.then(async () => (await this.connection()).query<R>(text, values));
    this.turn = next.catch(() => {});
    return next;
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
