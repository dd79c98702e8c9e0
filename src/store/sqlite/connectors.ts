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
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';
import type { SqliteOutbox } from './outbox.ts';

/**
 * Connectors' cursors, state, log and feed tokens in the main database. Jobs are written through the
 * outbox's own `write`, inside the same GroupCommit write as the cursor, so the worker never sees a job
 * whose cursor move could still be rolled back, and a crash keeps both or neither.
 */
export class SqliteConnectorStore implements ConnectorStore {
  private readonly s;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
    private readonly outbox: SqliteOutbox,
  ) {
    this.s = {
      cursor: db.prepare('SELECT seq FROM connector_cursors WHERE connector_id = ?'),
      setCursor: db.prepare(
        `INSERT INTO connector_cursors (connector_id, seq, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (connector_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
      ),
      state: db.prepare('SELECT value FROM connector_state WHERE connector_id = ? AND key = ?'),
      states: db.prepare(
        "SELECT key, value FROM connector_state WHERE connector_id = ? AND key >= ? AND key < ? || x'ff' ORDER BY key",
      ),
      putState: db.prepare(
        `INSERT INTO connector_state (connector_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (connector_id, key) DO UPDATE SET value = excluded.value`,
      ),
      dropState: db.prepare('DELETE FROM connector_state WHERE connector_id = ? AND key = ?'),
      record: db.prepare(
        `INSERT INTO connector_log (connector_id, delivery_id, at, outcome, target, summary, answer)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      redriveAll: db.prepare(
        `UPDATE deliveries SET state = 'pending', attempts = 0, due_at = ?, updated_at = ?
         WHERE state = 'dead' AND channel LIKE 'connector:%' AND substr(target, 1, length(?) + 1) = ? || ':'`,
      ),
      redriveOne: db.prepare(
        `UPDATE deliveries SET state = 'pending', attempts = 0, due_at = ?, updated_at = ?
         WHERE id = ? AND state = 'dead' AND channel LIKE 'connector:%' AND substr(target, 1, length(?) + 1) = ? || ':'`,
      ),
      addToken: db.prepare(
        `INSERT INTO connector_feed_tokens (token_hash, connector_id, subject_kind, subject_id, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      token: db.prepare('SELECT * FROM connector_feed_tokens WHERE token_hash = ? AND revoked_at IS NULL'),
      revoke: db.prepare(
        'UPDATE connector_feed_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
      ),
      tokens: db.prepare(
        'SELECT * FROM connector_feed_tokens WHERE connector_id = ? ORDER BY subject_kind, subject_id, created_at',
      ),
    };
  }

  async cursor(connectorId: string): Promise<number | undefined> {
    const row = this.s.cursor.get(connectorId) as { seq: number } | undefined;
    return row?.seq;
  }

  advance(a: ConnectorAdvance, now: Date): Promise<boolean> {
    return this.commit.write(() => {
      const row = this.s.cursor.get(a.connectorId) as { seq: number } | undefined;
      if ((row?.seq ?? 0) !== a.from) return false;
      this.outbox.write(a.jobs, now);
      this.writeState(a.connectorId, a.state ?? []);
      this.s.setCursor.run(a.connectorId, a.to, now.getTime());
      return true;
    });
  }

  enqueue(jobs: readonly ConnectorJob[], now: Date): Promise<number> {
    return this.commit.write(() => this.outbox.write(jobs, now).length);
  }

  async resetCursor(connectorId: string, to: number): Promise<void> {
    await this.commit.write(() => this.s.setCursor.run(connectorId, to, Date.now()));
  }

  async state(connectorId: string, key: string): Promise<unknown> {
    const row = this.s.state.get(connectorId, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  async states(connectorId: string, prefix: string): Promise<ConnectorStateEntry[]> {
    const rows = this.s.states.all(connectorId, prefix, prefix) as Array<{ key: string; value: string }>;
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown }));
  }

  async putState(connectorId: string, entries: readonly ConnectorStateEntry[]): Promise<void> {
    await this.commit.write(() => this.writeState(connectorId, entries));
  }

  private writeState(connectorId: string, entries: readonly ConnectorStateEntry[]): void {
    for (const e of entries) {
      if (e.value === null || e.value === undefined) this.s.dropState.run(connectorId, e.key);
      else this.s.putState.run(connectorId, e.key, JSON.stringify(e.value));
    }
  }

  async record(entries: readonly NewConnectorLogEntry[]): Promise<void> {
    await this.commit.write(() => {
      for (const e of entries)
        this.s.record.run(
          e.connectorId,
          e.deliveryId,
          e.at.getTime(),
          e.outcome,
          e.target,
          e.summary,
          e.answer,
        );
    });
  }

  async log(
    connectorId: string,
    query: { limit: number; since?: Date; outcomes?: ConnectorLogOutcome[] },
  ): Promise<ConnectorLogEntry[]> {
    const where = ['connector_id = ?'];
    const args: unknown[] = [connectorId];
    if (query.since) {
      where.push('at >= ?');
      args.push(query.since.getTime());
    }
    if (query.outcomes?.length) {
      where.push(`outcome IN (${query.outcomes.map(() => '?').join(', ')})`);
      args.push(...query.outcomes);
    }
    const sql = `SELECT * FROM connector_log WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, query.limit) as LogRow[]).map((r) => ({
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

  redrive(connectorId: string, ids: readonly number[] | 'all', now: Date): Promise<number> {
    const t = now.getTime();
    return this.commit.write(() => {
      if (ids === 'all') return this.s.redriveAll.run(t, t, connectorId, connectorId).changes;
      let n = 0;
      for (const id of ids) n += this.s.redriveOne.run(t, t, id, connectorId, connectorId).changes;
      return n;
    });
  }

  async addFeedToken(token: Omit<FeedToken, 'revokedAt'>): Promise<void> {
    await this.commit.write(() =>
      this.s.addToken.run(
        token.tokenHash,
        token.connectorId,
        token.kind,
        token.id,
        token.createdAt.getTime(),
      ),
    );
  }

  async feedByToken(tokenHash: string): Promise<FeedToken | undefined> {
    const row = this.s.token.get(tokenHash) as TokenRow | undefined;
    return row ? toToken(row) : undefined;
  }

  revokeFeedToken(tokenHash: string, now: Date): Promise<boolean> {
    return this.commit.write(() => this.s.revoke.run(now.getTime(), tokenHash).changes > 0);
  }

  async feedTokens(connectorId: string): Promise<FeedToken[]> {
    return (this.s.tokens.all(connectorId) as TokenRow[]).map(toToken);
  }
}
