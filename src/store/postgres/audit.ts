import type { AuditEntry, AuditLog } from '../port.ts';
import { Conditions } from './conditions.ts';
import type { PgPool, WritesInFlight } from './database.ts';

export class PostgresAuditLog implements AuditLog {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    await this.writes.track(
      this.pool.query('INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)', [
        e.at.getTime(),
        e.actor,
        e.action,
        e.subject,
        e.detail ?? null,
      ]),
    );
  }

  async list(q: { subject?: string; actor?: string; limit?: number }): Promise<AuditEntry[]> {
    const c = new Conditions();
    if (q.subject) c.add('subject = ?', q.subject);
    if (q.actor) c.add('actor = ?', q.actor);
    const [limit] = c.next(q.limit ?? 100);
    const { rows } = await this.pool.query<{
      at: number;
      actor: string;
      action: string;
      subject: string;
      detail: string | null;
    }>(
      `SELECT at, actor, action, subject, detail FROM audit ${c.where()} ORDER BY id DESC LIMIT ${limit}`,
      c.args,
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at), detail: r.detail ?? undefined }));
  }
}
