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
import { CANDIDATES_PER_CLAIM, CLAIM_ESCALATION, type Claims } from './claims.ts';
import { Conditions } from './conditions.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';
import type { PostgresOutbox } from './outbox.ts';

/*
 * What every escalation step runs is a named prepared statement, planned once per connection (each finds its
 * rows by key, so a plan made on small tables stays right; reads name their columns, so a column a later
 * migration adds changes no result type).
 */
const upsertTimer = named(
  'alerts-upsert-timer',
)`INSERT INTO escalation_timers (alert_id, policy, rule_recipients, next_step, pass, due_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (alert_id) DO UPDATE SET policy = excluded.policy, rule_recipients = excluded.rule_recipients,
    next_step = excluded.next_step, pass = excluded.pass, due_at = excluded.due_at`;

/* A timer this instance advanced is moved on only while it still exists: an acknowledgement on another
 * instance deleted it meanwhile, and the escalation must stay stopped. */
const moveClaimedTimer = named(
  'alerts-move-timer',
)`UPDATE escalation_timers SET policy = $2, rule_recipients = $3, next_step = $4,
  pass = $5, due_at = $6 WHERE alert_id = $1`;

const insertRecipient = named(
  'alerts-insert-recipient',
)`INSERT INTO alert_recipients (alert_id, person_id, state, step, reason, notified_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (alert_id, person_id) DO NOTHING`;

const insertEvent = named(
  'alerts-insert-event',
)`INSERT INTO alert_events (alert_id, at, kind, person_id, detail)
  VALUES ($1, $2, $3, $4, $5)`;

const alertColumns = `id, message_id, source, rule_id, title, body, priority, patient, dedup_key, context, status,
  created_at, updated_at, acknowledged_by, acknowledged_at`;

const alertById = named('alerts-get')`SELECT ${alertColumns} FROM alerts WHERE id = $1`;

const recipientsOf = named('alerts-recipients')`SELECT alert_id, person_id, state, step, reason, notified_at,
  updated_at FROM alert_recipients WHERE alert_id = $1 ORDER BY notified_at, person_id`;

const timerOf = named('alerts-timer')`SELECT alert_id, policy, rule_recipients, next_step, pass, due_at
  FROM escalation_timers WHERE alert_id = $1`;

/** A statement with a name: `pg` prepares it once per connection. */
function named(name: string) {
  return (text: TemplateStringsArray, ...parts: string[]) => ({
    name,
    text: String.raw({ raw: text }, ...parts),
  });
}

/**
 * Alerts in PostgreSQL. A change and the notices it causes share one transaction (the outbox's `write`
 * on the same connection), exactly as in the embedded store. Escalation timers are claimed per alert
 * (claims.ts): `dueTimers` answers only with timers this instance won, and holds each until it writes
 * the timer's next state, so two instances never run the same step.
 */
export class PostgresAlertStore implements AlertStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
    private readonly outbox: PostgresOutbox,
    private readonly claims: Claims,
  ) {}

  /** Runs `fn` in a transaction with the notices it returns, and tells the outbox after the commit. */
  private async change<T>(
    fn: (client: PgClient) => Promise<{ value: T; notices?: Notices; at: Date }>,
  ): Promise<T> {
    const { value, channels } = await this.writes.track(
      inTransaction(this.pool, async (client) => {
        const { value, notices, at } = await fn(client);
        const written = notices?.length ? await this.outbox.write(client, notices, at) : undefined;
        return { value, channels: written?.channels ?? new Set<string>() };
      }),
    );
    this.outbox.committed(channels);
    return value;
  }

  async create(
    a: NewAlert,
    timer?: Omit<EscalationTimer, 'alertId'>,
    notices?: (created: Alert) => Notices,
  ): Promise<Alert> {
    // The first step due at creation is run by this instance at once (EscalationEngine.start): claimed
    // before it is visible, so no other instance's cycle runs it too.
    let claimed: number | undefined;
    const created = await this.change(async (client) => {
      const at = a.createdAt.getTime();
      const { rows } = await client.query<AlertRow>(
        `INSERT INTO alerts (message_id, source, rule_id, title, body, priority, patient, dedup_key, context,
           status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $10) RETURNING *`,
        [
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
        ],
      );
      const alert = toAlert(rows[0]);
      if (timer) {
        if (timer.dueAt.getTime() <= at) {
          await this.claims.claim(CLAIM_ESCALATION, [alert.id]);
          claimed = alert.id;
        }
        await client.query({ ...upsertTimer, values: timerArgs({ ...timer, alertId: alert.id }) });
      }
      return { value: alert, notices: notices?.(alert), at: a.createdAt };
    }).catch(async (error) => {
      if (claimed !== undefined) await this.claims.release(CLAIM_ESCALATION, claimed);
      throw error;
    });
    return created;
  }

  async forMessage(messageId: number): Promise<Alert[]> {
    const { rows } = await this.pool.query<AlertRow>(
      'SELECT * FROM alerts WHERE message_id = $1 ORDER BY id',
      [messageId],
    );
    return rows.map(toAlert);
  }

  async get(id: number): Promise<Alert | undefined> {
    const { rows } = await this.pool.query<AlertRow>({ ...alertById, values: [id] });
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async list(q: AlertQuery): Promise<Alert[]> {
    const c = new Conditions();
    if (q.personId) c.add('id IN (SELECT alert_id FROM alert_recipients WHERE person_id = ?)', q.personId);
    if (q.status) c.add('status = ?', q.status);
    if (q.since) c.add('created_at >= ?', q.since.getTime());
    const [limit] = c.next(q.limit ?? 100);
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT * FROM alerts ${c.where()} ORDER BY id DESC LIMIT ${limit}`,
      c.args,
    );
    return rows.map(toAlert);
  }

  async hasDedupKey(key: string): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT 1 FROM alerts WHERE dedup_key = $1 LIMIT 1', [key]);
    return rows.length > 0;
  }

  async findOpenByDedupKey(key: string, since: Date): Promise<Alert | undefined> {
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT * FROM alerts WHERE dedup_key = $1 AND created_at >= $2 AND status != 'closed'
       ORDER BY id DESC LIMIT 1`,
      [key, since.getTime()],
    );
    return rows[0] ? toAlert(rows[0]) : undefined;
  }

  async update(
    id: number,
    changes: Parameters<AlertStore['update']>[1],
    at: Date,
    notices?: Notices,
  ): Promise<void> {
    const args: unknown[] = [at.getTime()];
    const sets: string[] = ['updated_at = $1'];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      args.push(
        value instanceof Date
          ? value.getTime()
          : key === 'context'
            ? JSON.stringify(value)
            : (value as unknown),
      );
      sets.push(`${columnOf[key]} = $${args.length}`);
    }
    args.push(id);
    const sql = `UPDATE alerts SET ${sets.join(', ')} WHERE id = $${args.length}`;
    await this.change(async (client) => {
      await client.query(sql, args);
      return { value: undefined, notices, at };
    });
  }

  async recipients(alertId: number): Promise<AlertRecipient[]> {
    const { rows } = await this.pool.query({ ...recipientsOf, values: [alertId] });
    return rows.map(toRecipient);
  }

  async addRecipient(r: Omit<AlertRecipient, 'updatedAt'>): Promise<boolean> {
    const result = await this.writes.track(
      this.pool.query({
        ...insertRecipient,
        values: [r.alertId, r.personId, r.state, r.step, r.reason, r.notifiedAt.getTime()],
      }),
    );
    return result.rowCount === 1;
  }

  notified(n: NotifiedWrite): Promise<boolean> {
    return this.change(async (client) => {
      const at = writtenAt(n);
      return { value: await writeNotified(client, n, at), notices: n.notices, at };
    });
  }

  async stepRan(s: {
    alertId: number;
    writes: readonly NotifiedWrite[];
    next?: EscalationTimer;
  }): Promise<void> {
    const claimed = this.claims.holds(CLAIM_ESCALATION, s.alertId);
    try {
      await this.change(async (client) => {
        const at = s.writes.length ? writtenAt(s.writes[0]) : new Date();
        for (const w of s.writes) await writeNotified(client, w, writtenAt(w));
        if (s.next)
          await client.query({ ...(claimed ? moveClaimedTimer : upsertTimer), values: timerArgs(s.next) });
        else await client.query('DELETE FROM escalation_timers WHERE alert_id = $1', [s.alertId]);
        return { value: undefined, notices: s.writes.flatMap((w) => w.notices ?? []), at };
      });
    } finally {
      await this.claims.release(CLAIM_ESCALATION, s.alertId);
    }
  }

  async setRecipientState(
    alertId: number,
    personId: string,
    state: RecipientState,
    at: Date,
    notices?: Notices,
  ): Promise<void> {
    await this.change(async (client) => {
      await client.query(
        'UPDATE alert_recipients SET state = $1, updated_at = $2 WHERE alert_id = $3 AND person_id = $4',
        [state, at.getTime(), alertId, personId],
      );
      return { value: undefined, notices, at };
    });
  }

  async forPerson(personId: string, opts: { includeClosed?: boolean; limit?: number }) {
    const { rows } = await this.pool.query<AlertRow & { my_state: RecipientState }>(
      `SELECT a.*, r.state AS my_state FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id
       WHERE r.person_id = $1 ${opts.includeClosed ? '' : "AND a.status = 'open'"} ORDER BY a.id DESC LIMIT $2`,
      [personId, opts.limit ?? 200],
    );
    return rows.map((r) => ({ ...toAlert(r), myState: r.my_state }));
  }

  async addEvent(e: TimelineEvent): Promise<void> {
    await this.writes.track(
      this.pool.query({ ...insertEvent, values: [e.alertId, e.at.getTime(), e.kind, e.personId, e.detail] }),
    );
  }

  async timeline(alertId: number): Promise<TimelineEvent[]> {
    const { rows } = await this.pool.query('SELECT * FROM alert_events WHERE alert_id = $1 ORDER BY id', [
      alertId,
    ]);
    return rows.map((r) => ({
      alertId: r.alert_id as number,
      at: new Date(r.at as number),
      kind: r.kind as string,
      personId: (r.person_id as string | null) ?? null,
      detail: r.detail as string,
    }));
  }

  async setTimer(t: EscalationTimer): Promise<void> {
    const claimed = this.claims.holds(CLAIM_ESCALATION, t.alertId);
    try {
      await this.writes.track(
        this.pool.query({ ...(claimed ? moveClaimedTimer : upsertTimer), values: timerArgs(t) }),
      );
    } finally {
      if (claimed) await this.claims.release(CLAIM_ESCALATION, t.alertId);
    }
  }

  async clearTimer(alertId: number): Promise<void> {
    try {
      await this.writes.track(
        this.pool.query('DELETE FROM escalation_timers WHERE alert_id = $1', [alertId]),
      );
    } finally {
      await this.claims.release(CLAIM_ESCALATION, alertId);
    }
  }

  async timer(alertId: number): Promise<EscalationTimer | undefined> {
    const { rows } = await this.pool.query({ ...timerOf, values: [alertId] });
    return rows[0] ? toTimer(rows[0]) : undefined;
  }

  /**
   * Due timers this instance won the claim of. A claim is let go when the timer's next state is written
   * (setTimer, clearTimer), or here when the timer turns out not to be due any more.
   */
  async dueTimers(now: Date, limit: number): Promise<EscalationTimer[]> {
    const mine = await this.claims.claimFirst(
      CLAIM_ESCALATION,
      'SELECT alert_id AS id FROM escalation_timers WHERE due_at <= $1 ORDER BY due_at LIMIT $2',
      [now.getTime(), limit * CANDIDATES_PER_CLAIM],
      limit,
    );
    if (mine.length === 0) return [];
    // Read again under the claim: another instance may have run the step between the read and the claim.
    const { rows } = await this.pool.query(
      'SELECT * FROM escalation_timers WHERE alert_id = ANY($1) AND due_at <= $2 ORDER BY due_at',
      [mine, now.getTime()],
    );
    const still = new Set(rows.map((r) => r.alert_id as number));
    for (const id of mine) if (!still.has(id)) await this.claims.release(CLAIM_ESCALATION, id);
    return rows.map(toTimer);
  }

  async nextTimerDue(after?: Date): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ due_at: number | null }>(
      'SELECT MIN(due_at) AS due_at FROM escalation_timers WHERE due_at > $1',
      [after?.getTime() ?? Number.MIN_SAFE_INTEGER],
    );
    return rows[0]?.due_at == null ? undefined : new Date(rows[0].due_at);
  }

  addToBatch(key: string, ruleId: string, dueAt: Date, item: unknown): Promise<Batch> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        // One statement opens the batch or appends to it, so two instances adding at once keep both items.
        const { rows } = await client.query<{ rule_id: string; due_at: number; items: string }>(
          `INSERT INTO rule_batches (batch_key, rule_id, due_at, items) VALUES ($1, $2, $3, $4)
           ON CONFLICT (batch_key) DO UPDATE
             SET items = (rule_batches.items::jsonb || excluded.items::jsonb)::text
           RETURNING rule_id, due_at, items`,
          [key, ruleId, dueAt.getTime(), JSON.stringify([item])],
        );
        return {
          key,
          ruleId: rows[0].rule_id,
          dueAt: new Date(rows[0].due_at),
          items: JSON.parse(rows[0].items),
        };
      }),
    );
  }

  takeDueBatches(now: Date): Promise<Batch[]> {
    return this.writes.track(
      (async () => {
        const { rows } = await this.pool.query<{
          batch_key: string;
          rule_id: string;
          due_at: number;
          items: string;
        }>('DELETE FROM rule_batches WHERE due_at <= $1 RETURNING *', [now.getTime()]);
        return rows.map((r) => ({
          key: r.batch_key,
          ruleId: r.rule_id,
          dueAt: new Date(r.due_at),
          items: JSON.parse(r.items),
        }));
      })(),
    );
  }
}

function timerArgs(t: EscalationTimer): unknown[] {
  return [
    t.alertId,
    JSON.stringify(t.policy),
    JSON.stringify(t.ruleRecipients),
    t.nextStep,
    t.pass,
    t.dueAt.getTime(),
  ];
}

function writtenAt(n: NotifiedWrite): Date {
  return n.recipient?.notifiedAt ?? n.event?.at ?? new Date();
}

/** Resolves with false when the recipient row was already there (or none was asked for). */
async function writeNotified(client: PgClient, n: NotifiedWrite, at: Date): Promise<boolean> {
  const r = n.recipient;
  let added = false;
  if (r) {
    const result = await client.query({
      ...insertRecipient,
      values: [r.alertId, r.personId, r.state, r.step, r.reason, at.getTime()],
    });
    added = result.rowCount === 1;
  }
  const e = n.event;
  if (e)
    await client.query({ ...insertEvent, values: [e.alertId, e.at.getTime(), e.kind, e.personId, e.detail] });
  return added;
}
