/**
 * The outbox: every outbound delivery that must survive a restart (a page to a carrier, a PCD-05 status
 * report to an alarm reporter) is a row here before the first attempt. A worker (./worker.ts) sends what is
 * due, retries with backoff, and finally marks the row dead with the error: the visible dead-letter state.
 *
 * The port is narrow so a PostgreSQL adapter fits later; the embedded adapter keeps its own SQLite file
 * (`outbox.db` beside the main database) so that delivery needs no change to the shared schema.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalSync } from '../../store/sqlite/wal-sync.ts';

export type OutboxState = 'pending' | 'sent' | 'dead';

export interface NewDelivery {
  /** Which sender handles it: 'page', 'pcd-status'. */
  channel: string;
  /** Where it goes, for listings and for ordering per destination (e.g. 'wctp:617-555-0101'). */
  target: string;
  /** Everything the sender needs, as JSON. Never logged: it may hold PHI. */
  payload: unknown;
  /** The alert it is about, for the timeline. */
  alertId: number | null;
  dueAt: Date;
}

export interface Delivery extends NewDelivery {
  id: number;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  /** What the receiver answered on success (carrier's message id, ACK code). */
  result: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Outbox {
  add(d: NewDelivery, now: Date): Promise<Delivery>;
  get(id: number): Promise<Delivery | undefined>;
  /** Pending deliveries whose time has come, oldest first. */
  due(now: Date, limit: number): Promise<Delivery[]>;
  /** The earliest dueAt of any pending delivery (to schedule the next wake-up). */
  nextDue(): Promise<Date | undefined>;
  markSent(id: number, result: string, now: Date): Promise<void>;
  /** Records a failed attempt; the delivery stays pending until `dueAt`. */
  markRetry(id: number, error: string, dueAt: Date, now: Date): Promise<void>;
  markDead(id: number, error: string, now: Date): Promise<void>;
  list(query: {
    state?: OutboxState;
    channel?: string;
    alertId?: number;
    limit?: number;
  }): Promise<Delivery[]>;
  close(): void;
}

interface Row {
  id: number;
  channel: string;
  target: string;
  payload: string;
  alert_id: number | null;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  result: string | null;
  due_at: number;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  alert_id INTEGER,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  result TEXT,
  due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, due_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries (alert_id);
`;

/**
 * The embedded outbox, in WAL mode. An `add` that returned is on the disk (it survives kill -9 and power
 * loss) before anything is sent; the flush runs on the thread pool (WalSync, as the main store does), not
 * on the event loop. Attempt records (sent, retry, dead) reach the disk with the next flush, within
 * WalSync's idle interval: one lost to a power cut means the delivery is tried again, never dropped.
 */
export class SqliteOutbox implements Outbox {
  private readonly db: Database.Database;
  private readonly s: Record<string, Database.Statement>;
  private readonly wal: WalSync;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'outbox.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.wal = new WalSync(`${this.db.name}-wal`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.s = {
      add: this.db.prepare(
        'INSERT INTO deliveries (channel, target, payload, alert_id, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      get: this.db.prepare('SELECT * FROM deliveries WHERE id = ?'),
      due: this.db.prepare(
        "SELECT * FROM deliveries WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?",
      ),
      nextDue: this.db.prepare("SELECT MIN(due_at) AS at FROM deliveries WHERE state = 'pending'"),
      sent: this.db.prepare(
        "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, result = ?, last_error = NULL, updated_at = ? WHERE id = ?",
      ),
      retry: this.db.prepare(
        'UPDATE deliveries SET attempts = attempts + 1, last_error = ?, due_at = ?, updated_at = ? WHERE id = ?',
      ),
      dead: this.db.prepare(
        "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?",
      ),
    };
  }

  async add(d: NewDelivery, now: Date): Promise<Delivery> {
    const info = this.s.add.run(
      d.channel,
      d.target,
      JSON.stringify(d.payload),
      d.alertId,
      d.dueAt.getTime(),
      now.getTime(),
      now.getTime(),
    );
    await this.wal.durable(this.wal.noteCommit());
    return toDelivery(this.s.get.get(Number(info.lastInsertRowid)) as Row);
  }

  async get(id: number): Promise<Delivery | undefined> {
    const row = this.s.get.get(id) as Row | undefined;
    return row ? toDelivery(row) : undefined;
  }

  async due(now: Date, limit: number): Promise<Delivery[]> {
    return (this.s.due.all(now.getTime(), limit) as Row[]).map(toDelivery);
  }

  async nextDue(): Promise<Date | undefined> {
    const row = this.s.nextDue.get() as { at: number | null };
    return row.at === null ? undefined : new Date(row.at);
  }

  async markSent(id: number, result: string, now: Date): Promise<void> {
    this.s.sent.run(result, now.getTime(), id);
    this.wal.noteCommit();
  }

  async markRetry(id: number, error: string, dueAt: Date, now: Date): Promise<void> {
    this.s.retry.run(error, dueAt.getTime(), now.getTime(), id);
    this.wal.noteCommit();
  }

  async markDead(id: number, error: string, now: Date): Promise<void> {
    this.s.dead.run(error, now.getTime(), id);
    this.wal.noteCommit();
  }

  async list(query: {
    state?: OutboxState;
    channel?: string;
    alertId?: number;
    limit?: number;
  }): Promise<Delivery[]> {
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
    return (this.db.prepare(sql).all(...args, query.limit ?? 100) as Row[]).map(toDelivery);
  }

  close(): void {
    this.wal.close();
    this.db.close();
  }
}

function toDelivery(r: Row): Delivery {
  return {
    id: r.id,
    channel: r.channel,
    target: r.target,
    payload: JSON.parse(r.payload) as unknown,
    alertId: r.alert_id,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    result: r.result,
    dueAt: new Date(r.due_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}
