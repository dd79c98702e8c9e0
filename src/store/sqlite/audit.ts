import type { AuditEntry, AuditLog } from '../port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

export class SqliteAuditLog implements AuditLog {
  private readonly insert;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.insert = db.prepare('INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)');
  }

  async record(e: AuditEntry): Promise<void> {
    await this.commit.writeDurable(() =>
      this.insert.run(e.at.getTime(), e.actor, e.action, e.subject, e.detail ?? null),
    );
  }

  async list(q: { subject?: string; actor?: string; limit?: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.subject) {
      where.push('subject = ?');
      args.push(q.subject);
    }
    if (q.actor) {
      where.push('actor = ?');
      args.push(q.actor);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT at, actor, action, subject, detail FROM audit ${clause} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit ?? 100) as Array<{
      at: number;
      actor: string;
      action: string;
      subject: string;
      detail: string | null;
    }>;
    return rows.map((r) => ({ ...r, at: new Date(r.at), detail: r.detail ?? undefined }));
  }
}
