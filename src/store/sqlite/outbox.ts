import type {
  Delivery,
  DueSkip,
  HeldNotice,
  NewDelivery,
  OutboxQuery,
  OutboxStore,
  PickupStore,
} from '../outbox-port.ts';
import { type DeliveryRow, overShare, toDelivery } from '../rows/outbox.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/**
 * The embedded outbox, in the main database. `write` is what the alert store calls inside its own write,
 * so a notice and the change that causes it share one savepoint of one transaction. The worker is told of
 * new notices only after their commit (`committed`, from the group commit's afterCommit), and `due` commits
 * what is open before it reads: nothing is sent that a crash could still take back.
 */
export class SqliteOutbox implements OutboxStore {
  private readonly s;
  /** Ids written since the last commit, and the channels they are for. */
  private readonly uncommitted = new Set<number>();
  private readonly newChannels = new Set<string>();
  private readonly listeners: Array<(channels: ReadonlySet<string>) => void> = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.s = {
      add: db.prepare(
        `INSERT INTO deliveries (channel, target, payload, alert_id, once_key, coalesce_key, due_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (once_key) DO NOTHING`,
      ),
      supersede: db.prepare("DELETE FROM deliveries WHERE coalesce_key = ? AND state = 'pending'"),
      get: db.prepare('SELECT * FROM deliveries WHERE id = ?'),
      due: db.prepare(
        `SELECT * FROM deliveries WHERE state = 'pending' AND due_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
         ORDER BY due_at, id LIMIT ?`,
      ),
      // Each pending target found by a seek past the one before (a loose index scan on
      // deliveries_target_due), then its first due rows: the cost follows the targets, not the rows.
      duePerTarget: db.prepare(
        `WITH RECURSIVE pending(target) AS (
           SELECT (SELECT min(target) FROM deliveries WHERE state = 'pending')
           UNION ALL
           SELECT (SELECT min(target) FROM deliveries WHERE state = 'pending' AND target > pending.target)
           FROM pending WHERE pending.target IS NOT NULL
         )
         SELECT d.* FROM pending, deliveries d
         WHERE pending.target IS NOT NULL AND pending.target NOT IN (SELECT value FROM json_each(?))
           AND d.id IN (
             SELECT id FROM deliveries WHERE state = 'pending' AND target = pending.target AND due_at <= ?
               AND id NOT IN (SELECT value FROM json_each(?))
             ORDER BY due_at, id LIMIT ?
           )
         ORDER BY d.due_at, d.id LIMIT ?`,
      ),
      nextDue: db.prepare("SELECT MIN(due_at) AS at FROM deliveries WHERE state = 'pending'"),
      sent: db.prepare(
        "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, result = ?, last_error = NULL, updated_at = ? WHERE id = ?",
      ),
      retry: db.prepare(
        'UPDATE deliveries SET attempts = attempts + 1, last_error = ?, due_at = ?, updated_at = ? WHERE id = ?',
      ),
      dead: db.prepare(
        "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?",
      ),
    };
  }

  /**
   * Writes notices in the caller's open write (synchronously, inside GroupCommit's closure); returns the
   * ids written (a notice whose onceKey was written before is dropped).
   */
  write(deliveries: readonly NewDelivery[], now: Date): number[] {
    const ids: number[] = [];
    for (const d of deliveries) {
      if (d.coalesceKey !== undefined) this.s.supersede.run(d.coalesceKey);
      const info = this.s.add.run(
        d.channel,
        d.target,
        JSON.stringify(d.payload),
        d.alertId,
        d.onceKey ?? null,
        d.coalesceKey ?? null,
        (d.dueAt ?? now).getTime(),
        now.getTime(),
        now.getTime(),
      );
      if (info.changes === 0) continue;
      const id = Number(info.lastInsertRowid);
      ids.push(id);
      this.uncommitted.add(id);
      this.newChannels.add(d.channel);
    }
    return ids;
  }

  /** Called after every commit: what was written is now safe to send. */
  committed(): void {
    this.uncommitted.clear();
    if (this.newChannels.size === 0) return;
    const channels = new Set(this.newChannels);
    this.newChannels.clear();
    // After the commit has returned, so a listener's own writes begin a transaction of their own.
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(channels);
    });
  }

  onCommitted(listener: (channels: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  async add(deliveries: readonly NewDelivery[], now: Date): Promise<Delivery[]> {
    const ids = await this.commit.write(() => this.write(deliveries, now));
    return ids.map((id) => toDelivery(this.s.get.get(id) as DeliveryRow));
  }

  async get(id: number): Promise<Delivery | undefined> {
    const row = this.s.get.get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  async due(now: Date, limit: number, perTarget?: number, skip?: DueSkip): Promise<Delivery[]> {
    // Notices written in the open transaction are committed first (and flushed): never sent before.
    if (this.uncommitted.size > 0) await this.commit.durable();
    const ids = JSON.stringify(skip ? [...skip.deliveries] : []);
    const targets = JSON.stringify(skip ? [...skip.targets] : []);
    // In flight are the oldest rows of their targets, so leaving them out walks past few index entries;
    // a full target's backlog is left out by the seek per target, never walked.
    let rows = this.s.due.all(now.getTime(), ids, limit) as DeliveryRow[];
    // The first due rows are the answer unless one target has more of them than its share; only then
    // are the other targets looked for (many targets with a few rows each never need the seek per target).
    if (perTarget !== undefined && overShare(rows, perTarget))
      rows = this.s.duePerTarget.all(targets, now.getTime(), ids, perTarget, limit) as DeliveryRow[];
    else if (skip?.targets.size) rows = rows.filter((r) => !skip.targets.has(r.target));
    return rows.filter((r) => !this.uncommitted.has(r.id)).map(toDelivery);
  }

  async nextDue(): Promise<Date | undefined> {
    const row = this.s.nextDue.get() as { at: number | null };
    return row.at === null ? undefined : new Date(row.at);
  }

  async markSent(id: number, result: string, now: Date): Promise<void> {
    await this.commit.write(() => this.s.sent.run(result, now.getTime(), id));
  }

  async markRetry(id: number, error: string, dueAt: Date, now: Date): Promise<void> {
    await this.commit.write(() => this.s.retry.run(error, dueAt.getTime(), now.getTime(), id));
  }

  async markDead(id: number, error: string, now: Date): Promise<void> {
    await this.commit.write(() => this.s.dead.run(error, now.getTime(), id));
  }

  async list(query: OutboxQuery): Promise<Delivery[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      args.push(value);
    };
    if (query.state) add('state = ?', query.state);
    if (query.channel) add('channel = ?', query.channel);
    if (query.alertId !== undefined) add('alert_id = ?', query.alertId);
    const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, query.limit ?? 100) as DeliveryRow[]).map(toDelivery);
  }
}

/** The pickup boxes (WCTP poll and ClientQuery queues) in the main database. */
export class SqlitePickups implements PickupStore {
  private readonly s;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.s = {
      hold: db.prepare(
        'INSERT INTO pickups (box, delivery_id, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING',
      ),
      trim: db.prepare(
        'DELETE FROM pickups WHERE box = ? AND sequence_no NOT IN (SELECT sequence_no FROM pickups WHERE box = ? ORDER BY sequence_no DESC LIMIT ?)',
      ),
      forget: db.prepare('DELETE FROM pickups WHERE box = ? AND sequence_no = ?'),
      held: db.prepare('SELECT sequence_no, payload FROM pickups WHERE box = ? ORDER BY sequence_no LIMIT ?'),
      clear: db.prepare('DELETE FROM pickups WHERE box = ?'),
    };
  }

  async hold(box: string, payload: unknown, deliveryId: number, now: Date, maxPerBox: number) {
    await this.commit.write(() => {
      this.s.hold.run(box, deliveryId, JSON.stringify(payload), now.getTime());
      this.s.trim.run(box, box, maxPerBox);
    });
  }

  collect(box: string, confirmed: readonly number[], max: number): Promise<HeldNotice[]> {
    return this.commit.write(() => {
      for (const n of confirmed) this.s.forget.run(box, n);
      return this.read(box, max);
    });
  }

  takeAll(box: string): Promise<HeldNotice[]> {
    return this.commit.write(() => {
      const held = this.read(box, -1);
      this.s.clear.run(box);
      return held;
    });
  }

  private read(box: string, max: number): HeldNotice[] {
    return (this.s.held.all(box, max) as Array<{ sequence_no: number; payload: string }>).map((r) => ({
      sequenceNo: r.sequence_no,
      payload: JSON.parse(r.payload) as unknown,
    }));
  }
}
