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
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

const COLUMNS = `id, username, person_id, roles, method, device, address, created_at, last_seen_at,
  idle_expires_at, absolute_expires_at, ended_at, end_reason`;

/** Live: not ended, and neither expiry passed. */
const LIVE = 'ended_at IS NULL AND idle_expires_at > @now AND absolute_expires_at > @now';

export class SqliteSessionStore implements SessionStore {
  private readonly insert;
  private readonly byHash;
  private readonly touchStmt;
  private readonly endStmt;
  private readonly forget;
  private readonly claim;
  private readonly flows;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.insert = db.prepare(
      `INSERT INTO sessions (id, token_hash, username, person_id, roles, method, device, address, created_at,
        last_seen_at, idle_expires_at, absolute_expires_at)
       VALUES (@id, @tokenHash, @username, @personId, @roles, @method, @device, @address, @createdAt,
        @createdAt, @idleExpiresAt, @absoluteExpiresAt)`,
    );
    this.byHash = db.prepare(`SELECT ${COLUMNS} FROM sessions WHERE token_hash = @hash AND ${LIVE}`);
    this.touchStmt = db.prepare(
      'UPDATE sessions SET last_seen_at = ?, idle_expires_at = MIN(?, absolute_expires_at) WHERE id = ? AND ended_at IS NULL',
    );
    this.endStmt = db.prepare(
      'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL',
    );
    this.forget = db.prepare('DELETE FROM used_once WHERE expires_at <= ?');
    this.claim = db.prepare(
      'INSERT INTO used_once (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    );
    this.flows = {
      forget: db.prepare('DELETE FROM sign_in_flows WHERE kind = ? AND expires_at <= ?'),
      forgetAll: db.prepare('DELETE FROM sign_in_flows WHERE expires_at <= ?'),
      // Counts no further than the limit: the answer is only ever "at the limit or not".
      open: db.prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM sign_in_flows WHERE kind = ? AND expires_at > ? LIMIT ?)`,
      ),
      hold: db.prepare(
        `INSERT INTO sign_in_flows (kind, key, value, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      ),
      take: db.prepare('DELETE FROM sign_in_flows WHERE kind = ? AND key = ? RETURNING value, expires_at'),
      peek: db.prepare('SELECT value FROM sign_in_flows WHERE kind = ? AND key = ? AND expires_at > ?'),
    };
  }

  async create(s: NewSession): Promise<SessionRecord> {
    await this.commit.write(() =>
      this.insert.run({
        ...s,
        roles: JSON.stringify(s.roles),
        createdAt: s.createdAt.getTime(),
        idleExpiresAt: s.idleExpiresAt.getTime(),
        absoluteExpiresAt: s.absoluteExpiresAt.getTime(),
      }),
    );
    const { tokenHash: _hash, ...rest } = s;
    return { ...rest, lastSeenAt: s.createdAt, endedAt: null, endReason: null };
  }

  async live(tokenHash: string, now: Date): Promise<SessionRecord | undefined> {
    const row = this.byHash.get({ hash: tokenHash, now: now.getTime() }) as SessionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  async touch(id: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void> {
    // Lazy: losing a last-seen time in a crash costs a session a few minutes of idle time at most.
    await this.commit.writeLazy(() => this.touchStmt.run(lastSeenAt.getTime(), idleExpiresAt.getTime(), id));
  }

  async end(id: string, at: Date, reason: SessionEndReason): Promise<boolean> {
    return this.commit.write(() => this.endStmt.run(at.getTime(), reason, id).changes > 0);
  }

  async endAll(
    who: { personId: string } | { username: string },
    at: Date,
    reason: SessionEndReason,
  ): Promise<SessionRecord[]> {
    const [column, value] = 'personId' in who ? ['person_id', who.personId] : ['username', who.username];
    return this.endWhere(`${column} = @value`, value, at, reason);
  }

  async endOnDevice(device: string, at: Date, reason: SessionEndReason): Promise<SessionRecord[]> {
    return this.endWhere('device = @value', device, at, reason);
  }

  async listOf(
    personId: string,
    options: { includeEnded?: boolean; limit?: number } = {},
  ): Promise<SessionRecord[]> {
    const live = options.includeEnded ? '' : 'AND ended_at IS NULL';
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM sessions WHERE person_id = ? ${live} ORDER BY created_at DESC, id LIMIT ?`,
      )
      .all(personId, options.limit ?? 100) as SessionRow[];
    return rows.map(toRecord);
  }

  async sweep(now: Date): Promise<number> {
    const t = now.getTime();
    return this.commit.write(() => {
      const expired = this.db
        .prepare(
          `UPDATE sessions SET ended_at = absolute_expires_at, end_reason = 'expired'
           WHERE ended_at IS NULL AND absolute_expires_at <= ?`,
        )
        .run(t).changes;
      const idle = this.db
        .prepare(
          `UPDATE sessions SET ended_at = idle_expires_at, end_reason = 'idle'
           WHERE ended_at IS NULL AND idle_expires_at <= ?`,
        )
        .run(t).changes;
      this.forget.run(t);
      this.flows.forgetAll.run(t);
      return expired + idle;
    });
  }

  async useOnce(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    return this.commit.write(() => {
      this.forget.run(now.getTime());
      return this.claim.run(key, expiresAt.getTime()).changes > 0;
    });
  }

  async holdFlow(flow: SignInFlow, now: Date, limit: number): Promise<boolean> {
    const t = now.getTime();
    return this.commit.write(() => {
      this.flows.forget.run(flow.kind, t);
      const { n } = this.flows.open.get(flow.kind, t, limit) as { n: number };
      if (n >= limit) return false;
      this.flows.hold.run(flow.kind, flow.key, flow.value, flow.expiresAt.getTime());
      return true;
    });
  }

  async takeFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined> {
    const row = await this.commit.write(
      () => this.flows.take.get(kind, key) as { value: string; expires_at: number } | undefined,
    );
    return row && row.expires_at > now.getTime() ? row.value : undefined;
  }

  async peekFlow(kind: SignInFlowKind, key: string, now: Date): Promise<string | undefined> {
    const row = this.flows.peek.get(kind, key, now.getTime()) as { value: string } | undefined;
    return row?.value;
  }

  private endWhere(
    where: string,
    value: string,
    at: Date,
    reason: SessionEndReason,
  ): Promise<SessionRecord[]> {
    const t = at.getTime();
    return this.commit.write(() => {
      const rows = this.db
        .prepare(`SELECT ${COLUMNS} FROM sessions WHERE ${where} AND ${LIVE}`)
        .all({ value, now: t }) as SessionRow[];
      for (const r of rows) this.endStmt.run(t, reason, r.id);
      return rows.map((r) => ({ ...toRecord(r), endedAt: at, endReason: reason }));
    });
  }
}

export class SqliteDeviceLogins implements DeviceLoginStore {
  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {}

  async handOver(login: DeviceLogin): Promise<DeviceLogin | null> {
    return this.commit.write(() => {
      const before = this.row(login.device);
      this.db
        .prepare(
          `INSERT INTO device_logins (device, person_id, source, since) VALUES (?, ?, ?, ?)
           ON CONFLICT (device) DO UPDATE SET person_id = excluded.person_id, source = excluded.source,
             since = excluded.since`,
        )
        .run(login.device, login.personId, login.source, login.since.getTime());
      return before && before.personId !== login.personId ? before : null;
    });
  }

  async release(device: string): Promise<DeviceLogin | null> {
    return this.commit.write(() => {
      const before = this.row(device);
      this.db.prepare('DELETE FROM device_logins WHERE device = ?').run(device);
      return before ?? null;
    });
  }

  async holder(device: string): Promise<DeviceLogin | undefined> {
    return this.row(device);
  }

  async devicesOf(personId: string): Promise<DeviceLogin[]> {
    const rows = this.db
      .prepare(
        'SELECT device, person_id, source, since FROM device_logins WHERE person_id = ? ORDER BY device',
      )
      .all(personId) as DeviceRow[];
    return rows.map(toLogin);
  }

  private row(device: string): DeviceLogin | undefined {
    const r = this.db
      .prepare('SELECT device, person_id, source, since FROM device_logins WHERE device = ?')
      .get(device) as DeviceRow | undefined;
    return r ? toLogin(r) : undefined;
  }
}
