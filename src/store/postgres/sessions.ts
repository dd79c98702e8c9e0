import { type DeviceRow, type SessionRow, toLogin, toRecord } from '../rows/sessions.ts';
import type {
  DeviceLogin,
  DeviceLoginStore,
  NewSession,
  SessionEndReason,
  SessionRecord,
  SessionStore,
  SignInFlow,
  SignInFlowKind,
} from '../session-port.ts';
import { inTransaction, type PgPool, type WritesInFlight } from './database.ts';

const COLUMNS = `id, username, person_id, roles, method, device, address, created_at, last_seen_at,
  idle_expires_at, absolute_expires_at, ended_at, end_reason`;

/**
 * Sessions in PostgreSQL: a session begun on one instance is live on every other, and a sign-out or an
 * admin's revocation on any instance ends it everywhere at the next request.
 */
export class PostgresSessionStore implements SessionStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async create(s: NewSession): Promise<SessionRecord> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO sessions (id, token_hash, username, person_id, roles, method, device, address, created_at,
          last_seen_at, idle_expires_at, absolute_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11)`,
        [
          s.id,
          s.tokenHash,
          s.username,
          s.personId,
          JSON.stringify(s.roles),
          s.method,
          s.device,
          s.address,
          s.createdAt.getTime(),
          s.idleExpiresAt.getTime(),
          s.absoluteExpiresAt.getTime(),
        ],
      ),
    );
    const { tokenHash: _hash, ...rest } = s;
    return { ...rest, lastSeenAt: s.createdAt, endedAt: null, endReason: null };
  }

  async live(tokenHash: string, now: Date): Promise<SessionRecord | undefined> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE token_hash = $1
         AND ended_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2`,
      [tokenHash, now.getTime()],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async touch(id: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `UPDATE sessions SET last_seen_at = $1, idle_expires_at = LEAST($2, absolute_expires_at)
         WHERE id = $3 AND ended_at IS NULL`,
        [lastSeenAt.getTime(), idleExpiresAt.getTime(), id],
      ),
    );
  }

  async end(id: string, at: Date, reason: SessionEndReason): Promise<boolean> {
    const result = await this.writes.track(
      this.pool.query(
        'UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL',
        [at.getTime(), reason, id],
      ),
    );
    return (result.rowCount ?? 0) > 0;
  }

  endAll(
    who: { personId: string } | { username: string },
    at: Date,
    reason: SessionEndReason,
  ): Promise<SessionRecord[]> {
    return 'personId' in who
      ? this.endWhere('person_id', who.personId, at, reason)
      : this.endWhere('username', who.username, at, reason);
  }

  endOnDevice(device: string, at: Date, reason: SessionEndReason): Promise<SessionRecord[]> {
    return this.endWhere('device', device, at, reason);
  }

  async listOf(
    personId: string,
    options: { includeEnded?: boolean; limit?: number } = {},
  ): Promise<SessionRecord[]> {
    const live = options.includeEnded ? '' : 'AND ended_at IS NULL';
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM sessions WHERE person_id = $1 ${live}
       ORDER BY created_at DESC, id COLLATE "C" LIMIT $2`,
      [personId, options.limit ?? 100],
    );
    return rows.map(toRecord);
  }

  sweep(now: Date): Promise<number> {
    const t = now.getTime();
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        const expired = await client.query(
          `UPDATE sessions SET ended_at = absolute_expires_at, end_reason = 'expired'
           WHERE ended_at IS NULL AND absolute_expires_at <= $1`,
          [t],
        );
        const idle = await client.query(
          `UPDATE sessions SET ended_at = idle_expires_at, end_reason = 'idle'
           WHERE ended_at IS NULL AND idle_expires_at <= $1`,
          [t],
        );
        await client.query('DELETE FROM used_once WHERE expires_at <= $1', [t]);
        await client.query('DELETE FROM sign_in_flows WHERE expires_at <= $1', [t]);
        return (expired.rowCount ?? 0) + (idle.rowCount ?? 0);
      }),
    );
  }

  useOnce(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query('DELETE FROM used_once WHERE expires_at <= $1', [now.getTime()]);
        const claimed = await client.query(
          'INSERT INTO used_once (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
          [key, expiresAt.getTime()],
        );
        return (claimed.rowCount ?? 0) > 0;
      }),
    );
  }

  /**
   * The count and the insert are one statement, but two instances holding a flow at the same moment do not
   * see each other's row: the limit may be passed by a few, never without bound.
   */
  async holdFlow(flow: SignInFlow, now: Date, limit: number): Promise<boolean> {
    const t = now.getTime();
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query('DELETE FROM sign_in_flows WHERE kind = $1 AND expires_at <= $2', [flow.kind, t]);
        const held = await client.query(
          `INSERT INTO sign_in_flows (kind, key, value, expires_at)
           SELECT $1, $2, $3, $4
           WHERE (SELECT count(*) FROM (SELECT 1 FROM sign_in_flows WHERE kind = $1 AND expires_at > $5
                                        LIMIT $6) AS open) < $6
           ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
          [flow.kind, flow.key, flow.value, flow.expiresAt.getTime(), t, limit],
        );
        return (held.rowCount ?? 0) > 0;
      }),
    );
  }

  async takeFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined> {
    const { rows } = await this.writes.track(
      this.pool.query<{ value: string; expires_at: number }>(
        'DELETE FROM sign_in_flows WHERE kind = $1 AND key = $2 RETURNING value, expires_at',
        [kind, key],
      ),
    );
    const row = rows[0];
    return row && row.expires_at > now.getTime() ? row.value : undefined;
  }

  async peekFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM sign_in_flows WHERE kind = $1 AND key = $2 AND expires_at > $3',
      [kind, key, now.getTime()],
    );
    return rows[0]?.value;
  }

  private async endWhere(
    column: 'person_id' | 'username' | 'device',
    value: string,
    at: Date,
    reason: SessionEndReason,
  ): Promise<SessionRecord[]> {
    const t = at.getTime();
    const { rows } = await this.writes.track(
      this.pool.query<SessionRow>(
        `WITH ended AS (
           UPDATE sessions SET ended_at = $2, end_reason = $3
           WHERE ${column} = $1 AND ended_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2
           RETURNING ${COLUMNS})
         SELECT * FROM ended`,
        [value, t, reason],
      ),
    );
    return rows.map(toRecord);
  }
}

export class PostgresDeviceLogins implements DeviceLoginStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  handOver(login: DeviceLogin): Promise<DeviceLogin | null> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        const before = await client.query<DeviceRow>(
          'SELECT device, person_id, source, since FROM device_logins WHERE device = $1 FOR UPDATE',
          [login.device],
        );
        await client.query(
          `INSERT INTO device_logins (device, person_id, source, since) VALUES ($1, $2, $3, $4)
           ON CONFLICT (device) DO UPDATE SET person_id = excluded.person_id, source = excluded.source,
             since = excluded.since`,
          [login.device, login.personId, login.source, login.since.getTime()],
        );
        const held = before.rows[0];
        return held && held.person_id !== login.personId ? toLogin(held) : null;
      }),
    );
  }

  async release(device: string): Promise<DeviceLogin | null> {
    const { rows } = await this.writes.track(
      this.pool.query<DeviceRow>(
        'DELETE FROM device_logins WHERE device = $1 RETURNING device, person_id, source, since',
        [device],
      ),
    );
    return rows[0] ? toLogin(rows[0]) : null;
  }

  async holder(device: string): Promise<DeviceLogin | undefined> {
    const { rows } = await this.pool.query<DeviceRow>(
      'SELECT device, person_id, source, since FROM device_logins WHERE device = $1',
      [device],
    );
    return rows[0] ? toLogin(rows[0]) : undefined;
  }

  async devicesOf(personId: string): Promise<DeviceLogin[]> {
    const { rows } = await this.pool.query<DeviceRow>(
      'SELECT device, person_id, source, since FROM device_logins WHERE person_id = $1 ORDER BY device COLLATE "C"',
      [personId],
    );
    return rows.map(toLogin);
  }
}
