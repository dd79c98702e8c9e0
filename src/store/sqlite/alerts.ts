import type {
  Alert,
  AlertQuery,
  AlertRecipient,
  AlertStore,
  Batch,
  EscalationTimer,
  NewAlert,
  Notices,
  NotifiedWrite,
  RecipientState,
  TimelineEvent,
} from '../alert-port.ts';
import { type AlertRow, columnOf, toAlert, toRecipient, toTimer } from '../rows/alerts.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';
import type { SqliteOutbox } from './outbox.ts';

export class SqliteAlertStore implements AlertStore {
  private readonly s;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
    /** Notices are written in the same closure as the change that causes them. */
    private readonly outbox: SqliteOutbox,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO alerts (message_id, source, rule_id, title, body, priority, patient, dedup_key, context, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
      ),
      get: db.prepare('SELECT * FROM alerts WHERE id = ?'),
      forMessage: db.prepare('SELECT * FROM alerts WHERE message_id = ? ORDER BY id'),
      dedup: db.prepare(
        `SELECT * FROM alerts WHERE dedup_key = ? AND created_at >= ? AND status != 'closed' ORDER BY id DESC LIMIT 1`,
      ),
      recipients: db.prepare(
        'SELECT * FROM alert_recipients WHERE alert_id = ? ORDER BY notified_at, person_id',
      ),
      addRecipient: db.prepare(
        `INSERT INTO alert_recipients (alert_id, person_id, state, step, reason, notified_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, person_id) DO NOTHING`,
      ),
      setState: db.prepare(
        'UPDATE alert_recipients SET state = ?, updated_at = ? WHERE alert_id = ? AND person_id = ?',
      ),
      addEvent: db.prepare(
        'INSERT INTO alert_events (alert_id, at, kind, person_id, detail) VALUES (?, ?, ?, ?, ?)',
      ),
      timeline: db.prepare('SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id'),
      setTimer: db.prepare(
        `INSERT INTO escalation_timers (alert_id, policy, rule_recipients, next_step, pass, due_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (alert_id) DO UPDATE SET policy = excluded.policy, rule_recipients = excluded.rule_recipients,
           next_step = excluded.next_step, pass = excluded.pass, due_at = excluded.due_at`,
      ),
      clearTimer: db.prepare('DELETE FROM escalation_timers WHERE alert_id = ?'),
      timer: db.prepare('SELECT * FROM escalation_timers WHERE alert_id = ?'),
      dueTimers: db.prepare('SELECT * FROM escalation_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?'),
      nextTimerDue: db.prepare('SELECT MIN(due_at) AS due_at FROM escalation_timers WHERE due_at > ?'),
      anyWithDedupKey: db.prepare('SELECT 1 FROM alerts WHERE dedup_key = ? LIMIT 1'),
      batch: db.prepare('SELECT * FROM rule_batches WHERE batch_key = ?'),
      openBatch: db.prepare(
        'INSERT INTO rule_batches (batch_key, rule_id, due_at, items) VALUES (?, ?, ?, ?)',
      ),
      setBatchItems: db.prepare('UPDATE rule_batches SET items = ? WHERE batch_key = ?'),
      dueBatches: db.prepare('SELECT * FROM rule_batches WHERE due_at <= ?'),
      deleteBatch: db.prepare('DELETE FROM rule_batches WHERE batch_key = ?'),
    };
  }

  create(
    a: NewAlert,
    timer?: Omit<EscalationTimer, 'alertId'>,
    notices?: (created: Alert) => Notices,
  ): Promise<Alert> {
    return this.commit.write(() => {
      const at = a.createdAt.getTime();
      const info = this.s.insert.run(
        a.messageId,
        a.source,
        a.ruleId,
        a.title,
        a.body,
        a.priority,
        a.patient ? JSON.stringify(a.patient) : null,
        a.dedupKey,
        JSON.stringify(a.context),
        at,
        at,
      );
      const id = Number(info.lastInsertRowid);
      if (timer) this.writeTimer({ ...timer, alertId: id });
      const created = toAlert(this.s.get.get(id) as AlertRow);
      if (notices) this.outbox.write(notices(created), a.createdAt);
      return created;
    });
  }

  async forMessage(messageId: number): Promise<Alert[]> {
    return (this.s.forMessage.all(messageId) as AlertRow[]).map(toAlert);
  }

  async get(id: number): Promise<Alert | undefined> {
    const row = this.s.get.get(id) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async list(q: AlertQuery): Promise<Alert[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.personId) {
      where.push('id IN (SELECT alert_id FROM alert_recipients WHERE person_id = ?)');
      args.push(q.personId);
    }
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.since) {
      where.push('created_at >= ?');
      args.push(q.since.getTime());
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${clause} ORDER BY id DESC LIMIT ?`)
      .all(...args, q.limit ?? 100) as AlertRow[];
    return rows.map(toAlert);
  }

  async hasDedupKey(key: string): Promise<boolean> {
    return this.s.anyWithDedupKey.get(key) !== undefined;
  }

  async findOpenByDedupKey(key: string, since: Date): Promise<Alert | undefined> {
    const row = this.s.dedup.get(key, since.getTime()) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async update(
    id: number,
    changes: Parameters<AlertStore['update']>[1],
    at: Date,
    notices?: Notices,
  ): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [at.getTime()];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      sets.push(`${columnOf[key]} = ?`);
      args.push(
        value instanceof Date
          ? value.getTime()
          : key === 'context'
            ? JSON.stringify(value)
            : (value as unknown),
      );
    }
    const sql = `UPDATE alerts SET ${sets.join(', ')} WHERE id = ?`;
    await this.commit.write(() => {
      this.db.prepare(sql).run(...args, id);
      if (notices?.length) this.outbox.write(notices, at);
    });
  }

  async recipients(alertId: number): Promise<AlertRecipient[]> {
    return (this.s.recipients.all(alertId) as Array<Record<string, unknown>>).map(toRecipient);
  }

  addRecipient(r: Omit<AlertRecipient, 'updatedAt'>): Promise<boolean> {
    return this.commit.write(() => {
      const at = r.notifiedAt.getTime();
      return this.s.addRecipient.run(r.alertId, r.personId, r.state, r.step, r.reason, at, at).changes === 1;
    });
  }

  notified(n: NotifiedWrite): Promise<boolean> {
    return this.commit.write(() => this.writeNotified(n));
  }

  async stepRan(s: {
    alertId: number;
    writes: readonly NotifiedWrite[];
    next?: EscalationTimer;
  }): Promise<void> {
    await this.commit.write(() => {
      for (const w of s.writes) this.writeNotified(w);
      if (s.next) this.writeTimer(s.next);
      else this.s.clearTimer.run(s.alertId);
    });
  }

  /** Inside a write: false when the recipient row was already there (or none was asked for). */
  private writeNotified(n: NotifiedWrite): boolean {
    const r = n.recipient;
    const at = r?.notifiedAt ?? n.event?.at ?? new Date();
    const added = r
      ? this.s.addRecipient.run(r.alertId, r.personId, r.state, r.step, r.reason, at.getTime(), at.getTime())
          .changes === 1
      : false;
    const e = n.event;
    if (e) this.s.addEvent.run(e.alertId, e.at.getTime(), e.kind, e.personId, e.detail);
    if (n.notices?.length) this.outbox.write(n.notices, at);
    return added;
  }

  private writeTimer(t: EscalationTimer): void {
    this.s.setTimer.run(
      t.alertId,
      JSON.stringify(t.policy),
      JSON.stringify(t.ruleRecipients),
      t.nextStep,
      t.pass,
      t.dueAt.getTime(),
    );
  }

  async setRecipientState(
    alertId: number,
    personId: string,
    state: RecipientState,
    at: Date,
    notices?: Notices,
  ): Promise<void> {
    await this.commit.write(() => {
      this.s.setState.run(state, at.getTime(), alertId, personId);
      if (notices?.length) this.outbox.write(notices, at);
    });
  }

  async forPerson(personId: string, opts: { includeClosed?: boolean; limit?: number }) {
    const rows = this.db
      .prepare(
        `SELECT a.*, r.state AS my_state FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id
         WHERE r.person_id = ? ${opts.includeClosed ? '' : "AND a.status = 'open'"} ORDER BY a.id DESC LIMIT ?`,
      )
      .all(personId, opts.limit ?? 200) as Array<AlertRow & { my_state: RecipientState }>;
    return rows.map((r) => ({ ...toAlert(r), myState: r.my_state }));
  }

  async addEvent(e: TimelineEvent): Promise<void> {
    await this.commit.write(() =>
      this.s.addEvent.run(e.alertId, e.at.getTime(), e.kind, e.personId, e.detail),
    );
  }

  async timeline(alertId: number): Promise<TimelineEvent[]> {
    return (this.s.timeline.all(alertId) as Array<Record<string, unknown>>).map((r) => ({
      alertId: r.alert_id as number,
      at: new Date(r.at as number),
      kind: r.kind as string,
      personId: (r.person_id as string | null) ?? null,
      detail: r.detail as string,
    }));
  }

  async setTimer(t: EscalationTimer): Promise<void> {
    await this.commit.write(() => this.writeTimer(t));
  }

  async clearTimer(alertId: number): Promise<void> {
    await this.commit.write(() => this.s.clearTimer.run(alertId));
  }

  async timer(alertId: number): Promise<EscalationTimer | undefined> {
    const row = this.s.timer.get(alertId) as Record<string, unknown> | undefined;
    return row ? toTimer(row) : undefined;
  }

  async dueTimers(now: Date, limit: number): Promise<EscalationTimer[]> {
    return (this.s.dueTimers.all(now.getTime(), limit) as Array<Record<string, unknown>>).map(toTimer);
  }

  async nextTimerDue(after?: Date): Promise<Date | undefined> {
    const row = this.s.nextTimerDue.get(after?.getTime() ?? Number.MIN_SAFE_INTEGER) as
      | { due_at: number | null }
      | undefined;
    return row?.due_at == null ? undefined : new Date(Number(row.due_at));
  }

  addToBatch(key: string, ruleId: string, dueAt: Date, item: unknown): Promise<Batch> {
    return this.commit.write(() => {
      const row = this.s.batch.get(key) as { items: string; due_at: number } | undefined;
      if (!row) {
        this.s.openBatch.run(key, ruleId, dueAt.getTime(), JSON.stringify([item]));
        return { key, ruleId, dueAt, items: [item] };
      }
      const items = [...JSON.parse(row.items), item];
      this.s.setBatchItems.run(JSON.stringify(items), key);
      return { key, ruleId, dueAt: new Date(row.due_at), items };
    });
  }

  takeDueBatches(now: Date): Promise<Batch[]> {
    return this.commit.write(() => {
      const rows = this.s.dueBatches.all(now.getTime()) as Array<{
        batch_key: string;
        rule_id: string;
        due_at: number;
        items: string;
      }>;
      for (const r of rows) this.s.deleteBatch.run(r.batch_key);
      return rows.map((r) => ({
        key: r.batch_key,
        ruleId: r.rule_id,
        dueAt: new Date(r.due_at),
        items: JSON.parse(r.items),
      }));
    });
  }
}
