import type {
  Delivery,
  DueSkip,
  HeldNotice,
  NewDelivery,
  OutboxQuery,
  OutboxStore,
  PickupStore,
} from '../outbox-port.ts';
import { type DeliveryRow, overShare, toDelivery } from '../rows/outbox.ts';
import { CANDIDATES_PER_CLAIM, CLAIM_DELIVERY, type Claims } from './claims.ts';
import { Conditions } from './conditions.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';

const insert = `INSERT INTO deliveries (channel, target, payload, alert_id, once_key, coalesce_key, due_at, created_at,
    updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (once_key) DO NOTHING RETURNING id`;

/**
 * The first due rows of each pending target, at most `share` each: a loose index scan that seeks each
 * pending target past the one before on deliveries_target_due (migration 016), then its first due rows.
 */
const duePerTarget = `WITH RECURSIVE pending(target) AS (
    SELECT (SELECT min(target) FROM deliveries WHERE state = 'pending')
    UNION ALL
    SELECT (SELECT min(target) FROM deliveries WHERE state = 'pending' AND target > pending.target)
    FROM pending WHERE pending.target IS NOT NULL
  )
  SELECT d.* FROM pending CROSS JOIN LATERAL (
    SELECT * FROM deliveries WHERE state = 'pending' AND target = pending.target AND due_at <= $1
      AND NOT (id = ANY($4::bigint[]))
    ORDER BY due_at, id LIMIT $2
  ) d
  WHERE NOT (pending.target = ANY($5::text[]))
  ORDER BY d.due_at, d.id LIMIT $3`;

/** A newer job with the same coalesce key replaces the pending one, in the same transaction. */
const supersede = "DELETE FROM deliveries WHERE coalesce_key = $1 AND state = 'pending'";

/**
 * The outbox in PostgreSQL. `write` runs on the caller's transaction, so a notice commits with the change
 * that causes it; listeners hear of it after that COMMIT (`committed`). With several instances each due
 * delivery is claimed by one of them (claims.ts) until it is marked sent, retried or dead.
 */
export class PostgresOutbox implements OutboxStore {
  private readonly listeners: Array<(channels: ReadonlySet<string>) => void> = [];

  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
    private readonly claims: Claims,
    /** Puts every commit so far on the disk (see flushWal). */
    private readonly flush: () => Promise<void>,
  ) {}

  /** Writes notices on `client`'s open transaction; returns the new ids and the channels they are for. */
  async write(
    client: PgClient,
    deliveries: readonly NewDelivery[],
    now: Date,
  ): Promise<{ ids: number[]; channels: Set<string> }> {
    const ids: number[] = [];
    const channels = new Set<string>();
    for (const d of deliveries) {
      if (d.coalesceKey !== undefined) await client.query(supersede, [d.coalesceKey]);
      const { rows } = await client.query<{ id: number }>(insert, [
        d.channel,
        d.target,
        JSON.stringify(d.payload),
        d.alertId,
        d.onceKey ?? null,
        d.coalesceKey ?? null,
        (d.dueAt ?? now).getTime(),
        now.getTime(),
      ]);
      if (rows.length === 0) continue;
      ids.push(rows[0].id);
      channels.add(d.channel);
    }
    return { ids, channels };
  }

  /** Called once a transaction that wrote notices for `channels` has committed. */
  committed(channels: ReadonlySet<string>): void {
    if (channels.size === 0) return;
    for (const listener of this.listeners) listener(channels);
  }

  onCommitted(listener: (channels: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  async add(deliveries: readonly NewDelivery[], now: Date): Promise<Delivery[]> {
    const written = await this.writes.track(
      inTransaction(this.pool, (client) => this.write(client, deliveries, now)),
    );
    this.committed(written.channels);
    if (written.ids.length === 0) return [];
    const { rows } = await this.pool.query<DeliveryRow>(
      'SELECT * FROM deliveries WHERE id = ANY($1) ORDER BY id',
      [written.ids],
    );
    return rows.map(toDelivery);
  }

  async get(id: number): Promise<Delivery | undefined> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  async due(now: Date, limit: number, perTarget?: number, skip?: DueSkip): Promise<Delivery[]> {
    const ids = skip ? [...skip.deliveries] : [];
    const targets = skip ? [...skip.targets] : [];
    // In flight are the oldest rows of their targets, so leaving them out walks past few index entries;
    // a full target's backlog is left out by the seek per target, never walked.
    const reach = limit * CANDIDATES_PER_CLAIM;
    let { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries WHERE state = 'pending' AND due_at <= $1 AND NOT (id = ANY($3::bigint[]))
       ORDER BY due_at, id LIMIT $2`,
      [now.getTime(), reach, ids],
    );
    // One target over its share of the first due rows: take each pending target's first rows instead.
    if (perTarget !== undefined && overShare(rows.slice(0, limit), perTarget))
      ({ rows } = await this.pool.query<DeliveryRow>(duePerTarget, [
        now.getTime(),
        perTarget,
        reach,
        ids,
        targets,
      ]));
    else if (targets.length > 0) rows = rows.filter((r) => !skip?.targets.has(r.target));
    const mine = new Set(
      await this.claims.claimFirst(
        CLAIM_DELIVERY,
        'SELECT unnest($1::bigint[]) AS id',
        [rows.map((r) => r.id)],
        limit,
      ),
    );
    if (mine.size === 0) return [];
    // Re-read what was won: another instance may have sent it between the read and the claim.
    const again = await this.pool.query<DeliveryRow>(
      "SELECT * FROM deliveries WHERE id = ANY($1) AND state = 'pending' AND due_at <= $2 ORDER BY due_at, id",
      [[...mine], now.getTime()],
    );
    const still = new Set(again.rows.map((r) => r.id));
    for (const id of mine) if (!still.has(id)) await this.claims.release(CLAIM_DELIVERY, id);
    // A notice may have committed without its flush (with the derived change that caused it, on any
    // instance): it goes out only once it is on the disk, so a crash cannot take back what was sent.
    if (again.rows.length > 0) await this.flush();
    return again.rows.map(toDelivery);
  }

  async nextDue(): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ at: number | null }>(
      "SELECT MIN(due_at) AS at FROM deliveries WHERE state = 'pending'",
    );
    return rows[0].at === null ? undefined : new Date(rows[0].at);
  }

  async markSent(id: number, result: string, now: Date): Promise<void> {
    await this.mark(
      id,
      "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, result = $1, last_error = NULL, updated_at = $2 WHERE id = $3",
      [result, now.getTime(), id],
    );
  }

  async markRetry(id: number, error: string, dueAt: Date, now: Date): Promise<void> {
    await this.mark(
      id,
      'UPDATE deliveries SET attempts = attempts + 1, last_error = $1, due_at = $2, updated_at = $3 WHERE id = $4',
      [error, dueAt.getTime(), now.getTime(), id],
    );
  }

  async markDead(id: number, error: string, now: Date): Promise<void> {
    await this.mark(
      id,
      "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = $1, updated_at = $2 WHERE id = $3",
      [error, now.getTime(), id],
    );
  }

  private async mark(id: number, sql: string, args: unknown[]): Promise<void> {
    try {
      await this.writes.track(this.pool.query(sql, args));
    } finally {
      await this.claims.release(CLAIM_DELIVERY, id);
    }
  }

  async list(query: OutboxQuery): Promise<Delivery[]> {
    const c = new Conditions();
    if (query.state) c.add('state = ?', query.state);
    if (query.channel) c.add('channel = ?', query.channel);
    if (query.alertId !== undefined) c.add('alert_id = ?', query.alertId);
    const [limit] = c.next(query.limit ?? 100);
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT * FROM deliveries ${c.where()} ORDER BY id DESC LIMIT ${limit}`,
      c.args,
    );
    return rows.map(toDelivery);
  }
}

/** The pickup boxes (WCTP poll and ClientQuery queues) in PostgreSQL. */
export class PostgresPickups implements PickupStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async hold(box: string, payload: unknown, deliveryId: number, now: Date, maxPerBox: number) {
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query(
          'INSERT INTO pickups (box, delivery_id, payload, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (delivery_id) DO NOTHING',
          [box, deliveryId, JSON.stringify(payload), now.getTime()],
        );
        await client.query(
          `DELETE FROM pickups WHERE box = $1 AND sequence_no NOT IN (
             SELECT sequence_no FROM pickups WHERE box = $1 ORDER BY sequence_no DESC LIMIT $2)`,
          [box, maxPerBox],
        );
      }),
    );
  }

  collect(box: string, confirmed: readonly number[], max: number): Promise<HeldNotice[]> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        if (confirmed.length > 0)
          await client.query('DELETE FROM pickups WHERE box = $1 AND sequence_no = ANY($2)', [
            box,
            confirmed,
          ]);
        return read(client, box, max);
      }),
    );
  }

  takeAll(box: string): Promise<HeldNotice[]> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ sequence_no: number; payload: string }>(
          'DELETE FROM pickups WHERE box = $1 RETURNING sequence_no, payload',
          [box],
        );
        return rows.sort((a, b) => a.sequence_no - b.sequence_no).map(toHeld);
      }),
    );
  }
}

async function read(client: PgClient, box: string, max: number): Promise<HeldNotice[]> {
  const { rows } = await client.query<{ sequence_no: number; payload: string }>(
    'SELECT sequence_no, payload FROM pickups WHERE box = $1 ORDER BY sequence_no LIMIT $2',
    [box, max < 0 ? null : max],
  );
  return rows.map(toHeld);
}

const toHeld = (r: { sequence_no: number; payload: string }): HeldNotice => ({
  sequenceNo: r.sequence_no,
  payload: JSON.parse(r.payload) as unknown,
});
