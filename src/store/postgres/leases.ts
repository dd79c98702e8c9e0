import type { LeaseGrant, LeaseHolding, LeaseStore } from '../lease-port.ts';
import type { PgPool } from './database.ts';

/** The database's clock in epoch milliseconds: every instance reads the same one. */
const NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/**
 * Leases in PostgreSQL (lease-port.ts). A take is one INSERT … ON CONFLICT DO UPDATE … WHERE per batch of
 * names: the row lock of the conflicting row orders two instances taking the same lease, and the loser's
 * WHERE is evaluated again on the winner's row, so it finds the lease held and gets nothing back.
 *
 * Why a table and not a session advisory lock, as the escalation claims use (claims.ts): an advisory lock
 * lasts as long as the server keeps the holder's session, which after a lost machine is as long as TCP
 * takes to notice (minutes, unbounded without keepalives), and the holder cannot know from its side when
 * the server dropped it. An expiry on the database's clock bounds the takeover and tells the holder how
 * long it may go on, and /api/health can say who holds what.
 *
 * Writes go through the durable pool (synchronous_commit on): a renewal the database forgot in a crash
 * would let another instance take the lease while its holder still counts on it.
 */
export class PostgresLeases implements LeaseStore {
  constructor(private readonly pool: PgPool) {}

  async take(names: readonly string[], holder: string, ttlMs: number): Promise<LeaseGrant[]> {
    if (names.length === 0) return [];
    // excluded.expires_at - $3 is the statement's "now". An expired lease of this holder is taken again
    // in a new term: another instance could have held it meanwhile.
    const { rows } = await this.pool.query<LeaseGrant>(
      `WITH clock AS (SELECT ${NOW} AS now)
       INSERT INTO leases AS l (name, holder, term, expires_at)
       SELECT name, $2, 1, clock.now + $3::bigint FROM unnest($1::text[]) AS name, clock
       ON CONFLICT (name) DO UPDATE SET
         holder = excluded.holder,
         term = CASE WHEN l.holder = excluded.holder AND l.expires_at > excluded.expires_at - $3::bigint
                     THEN l.term ELSE l.term + 1 END,
         expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at <= excluded.expires_at - $3::bigint
       RETURNING name, term`,
      [[...new Set(names)], holder, Math.round(ttlMs)],
    );
    return rows;
  }

  async release(names: readonly string[], holder: string): Promise<void> {
    if (names.length === 0) return;
    await this.pool.query(
      `UPDATE leases SET expires_at = ${NOW} WHERE holder = $2 AND name = ANY($1::text[]) AND expires_at > ${NOW}`,
      [[...names], holder],
    );
  }

  async holdings(): Promise<LeaseHolding[]> {
    const { rows } = await this.pool.query<{
      name: string;
      holder: string;
      term: number;
      expires_at: number;
    }>(`SELECT name, holder, term, expires_at FROM leases WHERE expires_at > ${NOW} ORDER BY name`);
    return rows.map((r) => ({
      name: r.name,
      holder: r.holder,
      term: r.term,
      expiresAt: new Date(r.expires_at),
    }));
  }
}
