import type {
  ConnectorAdvance,
  ConnectorJob,
  ConnectorLogEntry,
  ConnectorLogOutcome,
  ConnectorStateEntry,
  ConnectorStore,
  FeedToken,
  NewConnectorLogEntry,
} from '../connector-port.ts';
import { type LogRow, type TokenRow, toToken } from '../rows/connectors.ts';
import { Conditions } from './conditions.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';
import type { PostgresOutbox } from './outbox.ts';

/**
 * Connectors' cursors, state, log and feed tokens in PostgreSQL. An advance writes the jobs (through the
 * outbox's `write`), the state and the new cursor in one transaction, under a transaction-level lock on
 * the connector: two instances running the same connector's cycle cannot both move its cursor, the
 * second finds it moved and writes nothing.
 */
export class PostgresConnectorStore implements ConnectorStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
    private readonly outbox: PostgresOutbox,
  ) {}

  async cursor(connectorId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ seq: number }>(
      'SELECT seq FROM connector_cursors WHERE connector_id = $1',
      [connectorId],
    );
    return rows[0]?.seq;
  }

  async advance(a: ConnectorAdvance, now: Date): Promise<boolean> {
    let channels = new Set<string>();
    const moved = await this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard connector ' || $1))", [
          a.connectorId,
        ]);
        const { rows } = await client.query<{ seq: number }>(
          'SELECT seq FROM connector_cursors WHERE connector_id = $1',
          [a.connectorId],
        );
        if ((rows[0]?.seq ?? 0) !== a.from) return false;
        channels = (await this.outbox.write(client, a.jobs, now)).channels;
        await writeState(client, a.connectorId, a.state ?? []);
        await setCursor(client, a.connectorId, a.to, now.getTime());
        return true;
      }),
    );
    this.outbox.committed(channels);
    return moved;
  }

  async enqueue(jobs: readonly ConnectorJob[], now: Date): Promise<number> {
    const written = await this.writes.track(
      inTransaction(this.pool, (client) => this.outbox.write(client, jobs, now)),
    );
    this.outbox.committed(written.channels);
    return written.ids.length;
  }

  async resetCursor(connectorId: string, to: number): Promise<void> {
    await this.writes.track(setCursor(this.pool, connectorId, to, Date.now()));
  }

  async state(connectorId: string, key: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM connector_state WHERE connector_id = $1 AND key = $2',
      [connectorId, key],
    );
    return rows[0] ? (JSON.parse(rows[0].value) as unknown) : undefined;
  }

  async states(connectorId: string, prefix: string): Promise<ConnectorStateEntry[]> {
    const { rows } = await this.pool.query<{ key: string; value: string }>(
      `SELECT key, value FROM connector_state WHERE connector_id = $1 AND left(key, length($2)) = $2
       ORDER BY key COLLATE "C"`,
      [connectorId, prefix],
    );
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown }));
  }

  async putState(connectorId: string, entries: readonly ConnectorStateEntry[]): Promise<void> {
    await this.writes.track(inTransaction(this.pool, (client) => writeState(client, connectorId, entries)));
  }

  async record(entries: readonly NewConnectorLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        for (const e of entries)
          await client.query(
            `INSERT INTO connector_log (connector_id, delivery_id, at, outcome, target, summary, answer)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [e.connectorId, e.deliveryId, e.at.getTime(), e.outcome, e.target, e.summary, e.answer],
          );
      }),
    );
  }

  async log(
    connectorId: string,
    query: { limit: number; since?: Date; outcomes?: ConnectorLogOutcome[] },
  ): Promise<ConnectorLogEntry[]> {
    const c = new Conditions();
    c.add('connector_id = ?', connectorId);
    if (query.since) c.add('at >= ?', query.since.getTime());
    if (query.outcomes?.length) c.add('outcome = ANY(?)', query.outcomes);
    const [limit] = c.next(query.limit);
    const { rows } = await this.pool.query<LogRow>(
      `SELECT * FROM connector_log ${c.where()} ORDER BY id DESC LIMIT ${limit}`,
      c.args,
    );
    return rows.map((r) => ({
      id: r.id,
      connectorId: r.connector_id,
      deliveryId: r.delivery_id,
      at: new Date(r.at),
      outcome: r.outcome,
      target: r.target,
      summary: r.summary,
      answer: r.answer,
    }));
  }

  async redrive(connectorId: string, ids: readonly number[] | 'all', now: Date): Promise<number> {
    const t = now.getTime();
    const mine = `state = 'dead' AND channel LIKE 'connector:%' AND left(target, length($2) + 1) = $2 || ':'`;
    const result =
      ids === 'all'
        ? await this.writes.track(
            this.pool.query(
              `UPDATE deliveries SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1 WHERE ${mine}`,
              [t, connectorId],
            ),
          )
        : await this.writes.track(
            this.pool.query(
              `UPDATE deliveries SET state = 'pending', attempts = 0, due_at = $1, updated_at = $1
               WHERE id = ANY($3) AND ${mine}`,
              [t, connectorId, [...ids]],
            ),
          );
    return result.rowCount ?? 0;
  }

  async addFeedToken(token: Omit<FeedToken, 'revokedAt'>): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO connector_feed_tokens (token_hash, connector_id, subject_kind, subject_id, created_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [token.tokenHash, token.connectorId, token.kind, token.id, token.createdAt.getTime()],
      ),
    );
  }

  async feedByToken(tokenHash: string): Promise<FeedToken | undefined> {
    const { rows } = await this.pool.query<TokenRow>(
      'SELECT * FROM connector_feed_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
      [tokenHash],
    );
    return rows[0] ? toToken(rows[0]) : undefined;
  }

  async revokeFeedToken(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.writes.track(
      this.pool.query(
        'UPDATE connector_feed_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL',
        [now.getTime(), tokenHash],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async feedTokens(connectorId: string): Promise<FeedToken[]> {
    const { rows } = await this.pool.query<TokenRow>(
      `SELECT * FROM connector_feed_tokens WHERE connector_id = $1
       ORDER BY subject_kind COLLATE "C", subject_id COLLATE "C", created_at`,
      [connectorId],
    );
    return rows.map(toToken);
  }
}

async function setCursor(
  db: Pick<PgClient, 'query'>,
  connectorId: string,
  seq: number,
  at: number,
): Promise<void> {
  await db.query(
    `INSERT INTO connector_cursors (connector_id, seq, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (connector_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
    [connectorId, seq, at],
  );
}

async function writeState(
  client: PgClient,
  connectorId: string,
  entries: readonly ConnectorStateEntry[],
): Promise<void> {
  for (const e of entries) {
    if (e.value === null || e.value === undefined)
      await client.query('DELETE FROM connector_state WHERE connector_id = $1 AND key = $2', [
        connectorId,
        e.key,
      ]);
    else
      await client.query(
        `INSERT INTO connector_state (connector_id, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (connector_id, key) DO UPDATE SET value = excluded.value`,
        [connectorId, e.key, JSON.stringify(e.value)],
      );
  }
}
