import type { CallDetailRecord, SipBindingRecord, SipStore, StoredCallDetailRecord } from '../sip-port.ts';
import { Conditions } from './conditions.ts';
import { inTransaction, type PgPool, type WritesInFlight } from './database.ts';

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

/** Registrations and call records in PostgreSQL: a phone registered on one instance rings from any. */
export class PostgresSipStore implements SipStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async saveBindings(aor: string, bindings: SipBindingRecord[]): Promise<void> {
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query('DELETE FROM sip_bindings WHERE aor = $1', [aor]);
        for (const b of bindings)
          await client.query(
            'INSERT INTO sip_bindings (aor, contact, expires_at, q, call_id, cseq, source) VALUES ($1, $2, $3, $4, $5, $6, $7)',
            [aor, b.contact, b.expiresAt.getTime(), b.q, b.callId, b.cseq, b.source],
          );
      }),
    );
  }

  async liveBindings(now: Date): Promise<SipBindingRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT aor, contact, expires_at, q, call_id, cseq, source FROM sip_bindings WHERE expires_at > $1
       ORDER BY aor COLLATE "C"`,
      [now.getTime()],
    );
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
    const { rows } = await this.writes.track(
      this.pool.query<{ id: number }>(
        `INSERT INTO sip_calls (call_id, kind, caller, dialled, route, answered_by, answered_at, attempts, outcome,
          final_status, started_at, connected_at, ended_at, ended_by, alert_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
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
        ],
      ),
    );
    return rows[0].id;
  }

  async listCalls(q: { since?: Date; personId?: string; limit?: number }): Promise<StoredCallDetailRecord[]> {
    const c = new Conditions();
    if (q.since) c.add('started_at >= ?', q.since.getTime());
    if (q.personId) {
      // A clinician's calls: the ones they answered or were offered (attempts name them).
      c.add(
        `(answered_by = ? OR strpos(attempts, '"personId":' || to_json(?::text)::text) > 0)`,
        q.personId,
        q.personId,
      );
    }
    const [limit] = c.next(q.limit ?? 100);
    const { rows } = await this.pool.query<CallRow>(
      `SELECT * FROM sip_calls ${c.where()} ORDER BY id DESC LIMIT ${limit}`,
      c.args,
    );
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
