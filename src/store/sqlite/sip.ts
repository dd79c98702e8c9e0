import type { CallDetailRecord, SipBindingRecord, SipStore, StoredCallDetailRecord } from '../sip-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

interface CallRow {
  id: number;
  call_id: string;
  kind: string;
  caller: string;
  dialled: string;
  route: string | null;
  answered_by: string | null;
  answered_at: string | null;
  attempts: string;
  outcome: string;
  final_status: number;
  started_at: number;
  connected_at: number | null;
  ended_at: number;
  ended_by: string | null;
  alert_id: number | null;
}

export class SqliteSipStore implements SipStore {
  private readonly deleteAor;
  private readonly insertBinding;
  private readonly insertCall;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.deleteAor = db.prepare('DELETE FROM sip_bindings WHERE aor = ?');
    this.insertBinding = db.prepare(
      'INSERT INTO sip_bindings (aor, contact, expires_at, q, call_id, cseq, source) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertCall = db.prepare(
      `INSERT INTO sip_calls (call_id, kind, caller, dialled, route, answered_by, answered_at, attempts, outcome,
        final_status, started_at, connected_at, ended_at, ended_by, alert_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async saveBindings(aor: string, bindings: SipBindingRecord[]): Promise<void> {
    await this.commit.write(() => {
      this.deleteAor.run(aor);
      for (const b of bindings)
        this.insertBinding.run(aor, b.contact, b.expiresAt.getTime(), b.q, b.callId, b.cseq, b.source);
    });
  }

  async liveBindings(now: Date): Promise<SipBindingRecord[]> {
    const rows = this.db
      .prepare(
        'SELECT aor, contact, expires_at, q, call_id, cseq, source FROM sip_bindings WHERE expires_at > ? ORDER BY aor',
      )
      .all(now.getTime()) as Array<{
      aor: string;
      contact: string;
      expires_at: number;
      q: number;
      call_id: string;
      cseq: number;
      source: string;
    }>;
    return rows.map((r) => ({
      aor: r.aor,
      contact: r.contact,
      expiresAt: new Date(r.expires_at),
      q: r.q,
      callId: r.call_id,
      cseq: r.cseq,
      source: r.source,
    }));
  }

  async recordCall(c: CallDetailRecord): Promise<number> {
    const result = await this.commit.write(() =>
      this.insertCall.run(
        c.callId,
        c.kind,
        c.caller,
        c.dialled,
        c.route,
        c.answeredBy,
        c.answeredAt,
        JSON.stringify(c.attempts),
        c.outcome,
        c.finalStatus,
        c.startedAt.getTime(),
        c.connectedAt?.getTime() ?? null,
        c.endedAt.getTime(),
        c.endedBy,
        c.alertId,
      ),
    );
    return Number((result as { lastInsertRowid: number | bigint }).lastInsertRowid);
  }

  async listCalls(q: { since?: Date; personId?: string; limit?: number }): Promise<StoredCallDetailRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.since) {
      where.push('started_at >= ?');
      args.push(q.since.getTime());
    }
    if (q.personId) {
      // A clinician's calls: the ones they answered or were offered (attempts name them).
      where.push("(answered_by = ? OR attempts LIKE '%\"personId\":' || json_quote(?) || '%')");
      args.push(q.personId, q.personId);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM sip_calls ${clause} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit ?? 100) as CallRow[];
    return rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      kind: r.kind as CallDetailRecord['kind'],
      caller: r.caller,
      dialled: r.dialled,
      route: r.route,
      answeredBy: r.answered_by,
      answeredAt: r.answered_at,
      attempts: JSON.parse(r.attempts) as CallDetailRecord['attempts'],
      outcome: r.outcome as CallDetailRecord['outcome'],
      finalStatus: r.final_status,
      startedAt: new Date(r.started_at),
      connectedAt: r.connected_at === null ? null : new Date(r.connected_at),
      endedAt: new Date(r.ended_at),
      endedBy: r.ended_by as CallDetailRecord['endedBy'],
      alertId: r.alert_id,
    }));
  }
}
