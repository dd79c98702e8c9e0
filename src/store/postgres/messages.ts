import type {
  InboundMessage,
  MessageQuery,
  MessageStatus,
  MessageStore,
  MessageSummary,
  SaveResult,
  StoredMessage,
} from '../port.ts';
import { totalFromPage } from '../rows/message-search.ts';
import { Conditions } from './conditions.ts';
import type { PgPool, WritesInFlight } from './database.ts';
import type { InboundBatch } from './inbound-batch.ts';
import type { InstanceLock } from './instance-lock.ts';
import { fillDueWords, wordsDue, wordsMatch } from './message-words.ts';
import { StatementBatch } from './statement-batch.ts';

interface MessageRow {
  id: number;
  listener: string;
  peer: string;
  sending_application: string;
  sending_facility: string;
  receiving_application: string;
  receiving_facility: string;
  message_type: string;
  trigger_event: string;
  control_id: string;
  received_at: number;
  status: MessageStatus;
  status_detail: string | null;
  updated_at: number;
  size: number;
  routing_attempts: number;
  patient_mrn: string | null;
  raw?: Buffer;
}

const summaryColumns =
  'id, listener, peer, sending_application, sending_facility, receiving_application, receiving_facility, message_type, trigger_event, control_id, received_at, status, status_detail, updated_at, size, routing_attempts, patient_mrn';

/** Messages whose words one statement of fillDueWords writes: a short transaction, even at an upgrade's backlog. */
const WORDS_PER_BATCH = 1000;

/** One message's routing outcome, as setStatus is given it. */
interface StatusChange {
  id: number;
  status: MessageStatus;
  detail: string | null;
  at: number;
}

/**
 * Messages in PostgreSQL. Every save is durable when it resolves (the batch's COMMIT returned), so a
 * journaled save needs nothing more than a plain one, and `settled()` only waits for saves in flight.
 * A status is derived state (committed without waiting for the flush); a routing start is durable.
 */
export class PostgresMessageStore implements MessageStore {
  /** Instances seen holding no lock, and since when (Date.now), by key. */
  private readonly seenGone = new Map<number, number>();

  constructor(
    private readonly pool: PgPool,
    private readonly batch: InboundBatch,
    private readonly writes: WritesInFlight,
    /** Synchronous commits, for what must be on the disk when it resolves. */
    private readonly durablePool: PgPool,
    /** This instance: the messages it stores are recorded under its key. */
    private readonly instance: InstanceLock,
  ) {}

  saveInbound(m: InboundMessage, onCommitted?: (saved: SaveResult) => void): Promise<SaveResult> {
    return this.writes.track(this.batch.save(m, onCommitted));
  }

  saveJournaled(m: InboundMessage): Promise<SaveResult> {
    return this.writes.track(this.batch.save(m));
  }

  settled(): Promise<void> {
    return this.writes.settled();
  }

  async get(id: number): Promise<StoredMessage | undefined> {
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${summaryColumns}, raw FROM messages WHERE id = $1`,
      [id],
    );
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  async list(q: MessageQuery): Promise<{ items: MessageSummary[]; total: number; totalExact: boolean }> {
    const c = new Conditions();
    if (q.controlId) c.add('control_id = ?', q.controlId);
    if (q.sender) c.add('(sending_application = ? OR sending_facility = ?)', q.sender, q.sender);
    if (q.type) {
      const [type, trigger] = q.type.split('^');
      c.add('message_type = ?', type);
      if (trigger) c.add('trigger_event = ?', trigger);
    }
    if (q.status) c.add('status = ?', q.status);
    if (q.since) c.add('received_at >= ?', q.since.getTime());
    if (q.until) c.add('received_at < ?', q.until.getTime());
    if (q.listener) c.add('listener = ?', q.listener);
    if (q.mrn) c.add('patient_mrn = ?', q.mrn);
    if (q.text !== undefined) {
      if (await wordsDue(this.pool)) c.add(wordsMatch(true), q.text, q.text);
      else c.add(wordsMatch(false), q.text);
    }
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const countArgs = [...c.args];
    const page = c.next(limit, offset);
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${summaryColumns} FROM messages ${c.where()} ORDER BY received_at DESC, id DESC
       LIMIT ${page[0]} OFFSET ${page[1]}`,
      c.args,
    );
    const items = rows.map(toSummary);
    const known = totalFromPage(offset, limit, rows.length);
    if (known !== undefined) return { items, total: known, totalExact: true };
    const cap = q.countUpTo;
    const counted = await this.pool.query<{ n: number }>(
      cap === undefined
        ? `SELECT count(*) AS n FROM messages ${c.where()}`
        : `SELECT count(*) AS n FROM (SELECT 1 FROM messages ${c.where()} LIMIT ${Math.floor(cap) + 1}) AS capped`,
      countArgs,
    );
    const n = Number(counted.rows[0].n);
    const totalExact = cap === undefined || n <= cap;
    return { items, total: totalExact ? n : Math.floor(cap as number), totalExact };
  }

  async setStatus(id: number, status: MessageStatus, detail?: string): Promise<void> {
    await this.writes.track(this.statuses.add({ id, status, detail: detail ?? null, at: Date.now() }));
  }

  /** The statuses set in one turn, in one UPDATE; a message set twice in it keeps the last. */
  private readonly statuses = new StatementBatch<StatusChange, void>(async (changes) => {
    const last = new Map(changes.map((c) => [c.id, c]));
    const rows = [...last.values()];
    await this.pool.query(
      `UPDATE messages m SET status = s.status, status_detail = s.detail, updated_at = s.at
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS s (id, status, detail, at)
       WHERE m.id = s.id`,
      [rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.detail), rows.map((r) => r.at)],
    );
    return changes.map(() => undefined);
  });

  async pending(limit: number, afterId = 0): Promise<StoredMessage[]> {
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${summaryColumns}, raw FROM messages WHERE status = 'received' AND owner = $3 AND id > $1
       ORDER BY id LIMIT $2`,
      [afterId, limit, this.instance.key],
    );
    return rows.map(toStored);
  }

  /**
   * The instances that stored waiting messages and hold no lock now (InstanceLock) have died: their
   * messages are made this instance's, under row locks skipped by another instance doing the same, so
   * each goes to one survivor. A key must be seen lockless for `goneForMs` first: after a database
   * restart every instance is lockless until it takes its lock again.
   */
  async adoptUnrouted(limit: number, o: { goneForMs: number; unowned: boolean }): Promise<StoredMessage[]> {
    const me = this.instance.key;
    const owners = await this.pool.query<{ owner: number | null }>(
      `SELECT DISTINCT owner FROM messages WHERE status = 'received' AND owner IS DISTINCT FROM $1`,
      [me],
    );
    if (owners.rows.length === 0) return [];
    const locked = await this.pool.query<{ key: number }>(
      `SELECT (classid::bigint << 32) | objid::bigint AS key FROM pg_locks
       WHERE locktype = 'advisory' AND objsubid = 1 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const alive = new Set(locked.rows.map((r) => r.key));
    const now = Date.now();
    const gone: number[] = [];
    for (const { owner } of owners.rows) {
      if (owner === null) continue;
      if (alive.has(owner)) {
        this.seenGone.delete(owner);
        continue;
      }
      const since = this.seenGone.get(owner) ?? now;
      this.seenGone.set(owner, since);
      if (now - since >= o.goneForMs) gone.push(owner);
    }
    if (gone.length === 0 && !o.unowned) return [];
    const { rows } = await this.writes.track(
      this.pool.query<MessageRow>(
        `UPDATE messages SET owner = $1 WHERE id IN (
           SELECT id FROM messages
           WHERE status = 'received' AND (owner = ANY($2::bigint[]) OR ($3::boolean AND owner IS NULL))
           ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING ${summaryColumns}, raw`,
        [me, gone, o.unowned, limit],
      ),
    );
    return rows.map(toStored).sort((a, b) => a.id - b.id);
  }

  earlierElsewhere(id: number): Promise<boolean> {
    return this.waitingLooks.add(id);
  }

  /** The looks of one turn, in one statement (every message routed asks once). */
  private readonly waitingLooks = new StatementBatch<number, boolean>(async (ids) => {
    // Another instance's own order is its queue's business; a message of this instance's is in this queue.
    const { rows } = await this.pool.query<{ id: number }>(
      `SELECT m.id FROM messages m WHERE m.id = ANY($1::bigint[]) AND EXISTS (
         SELECT 1 FROM messages e
         WHERE e.patient_mrn = m.patient_mrn AND e.status = 'received' AND e.id < m.id
           AND e.listener = m.listener AND e.owner IS DISTINCT FROM m.owner)`,
      [ids],
    );
    const waiting = new Set(rows.map((r) => r.id));
    return ids.map((id) => waiting.has(id));
  });

  fillDueWords(signal?: AbortSignal): Promise<number> {
    return this.writes.track(fillDueWords(this.pool, WORDS_PER_BATCH, signal));
  }

  async routingStarted(id: number): Promise<number> {
    const { rows } = await this.writes.track(
      this.durablePool.query<{ routing_attempts: number }>(
        'UPDATE messages SET routing_attempts = routing_attempts + 1 WHERE id = $1 RETURNING routing_attempts',
        [id],
      ),
    );
    return rows[0]?.routing_attempts ?? 0;
  }
}

function toSummary(r: MessageRow): MessageSummary {
  return {
    id: r.id,
    listener: r.listener,
    peer: r.peer,
    sendingApplication: r.sending_application,
    sendingFacility: r.sending_facility,
    receivingApplication: r.receiving_application,
    receivingFacility: r.receiving_facility,
    messageType: r.message_type,
    triggerEvent: r.trigger_event,
    controlId: r.control_id,
    receivedAt: new Date(r.received_at),
    status: r.status,
    statusDetail: r.status_detail,
    updatedAt: new Date(r.updated_at),
    size: r.size,
    routingAttempts: r.routing_attempts,
    patientMrn: r.patient_mrn,
  };
}

function toStored(r: MessageRow): StoredMessage {
  const { size: _size, patientMrn: _mrn, ...rest } = toSummary(r);
  return { ...rest, raw: r.raw as Buffer };
}
