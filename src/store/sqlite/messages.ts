import type { Statement } from 'better-sqlite3';
import { fts5Words, patientMrnOf, wordsText } from '../message-search.ts';
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
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

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

interface JournaledSave {
  message: InboundMessage;
  resolve: (saved: SaveResult) => void;
  reject: (error: unknown) => void;
}

/** The columns of a search's row (a message without its raw bytes). */
export const summaryColumns =
  'id, listener, peer, sending_application, sending_facility, receiving_application, receiving_facility, message_type, trigger_event, control_id, received_at, status, status_detail, updated_at, size, routing_attempts, patient_mrn';

export class SqliteMessageStore implements MessageStore {
  private readonly insert;
  private readonly findDuplicate;
  private readonly byId;
  private readonly updateStatus;
  private readonly pendingRows;
  private readonly countAttempt;
  private readonly indexWords;
  private readonly searches = new Map<string, Statement<unknown[]>>();
  /** Journaled messages saved in this turn, not yet inserted (see saveJournaled). */
  private journaled: JournaledSave[] = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.insert = db.prepare(
      `INSERT INTO messages (listener, peer, sending_application, sending_facility, receiving_application,
         receiving_facility, message_type, trigger_event, control_id, received_at, status, updated_at, size, raw,
         patient_mrn)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?)
       ON CONFLICT (listener, sending_application, sending_facility, control_id) DO NOTHING`,
    );
    this.findDuplicate = db.prepare(
      'SELECT id FROM messages WHERE listener = ? AND sending_application = ? AND sending_facility = ? AND control_id = ?',
    );
    this.byId = db.prepare(`SELECT ${summaryColumns}, raw FROM messages WHERE id = ?`);
    this.updateStatus = db.prepare(
      'UPDATE messages SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?',
    );
    this.pendingRows = db.prepare(
      `SELECT ${summaryColumns}, raw FROM messages WHERE status = 'received' AND id > ? ORDER BY id LIMIT ?`,
    );
    // The words go in with the row, in the same transaction: a message is searchable once it is stored.
    this.indexWords = db.prepare('INSERT INTO message_words (rowid, body) VALUES (?, ?)');
    this.countAttempt = db.prepare(
      'UPDATE messages SET routing_attempts = routing_attempts + 1 WHERE id = ? RETURNING routing_attempts',
    );
  }

  saveInbound(m: InboundMessage, onCommitted?: (saved: SaveResult) => void): Promise<SaveResult> {
    return this.commit.writeDurable(() => this.insertRow(m), onCommitted);
  }

  /**
   * The messages saved in one go (the records of one journal flush, stored in a loop) are inserted
   * together, in one savepoint: FTS5 writes its pending words to the disk as a new segment at every
   * savepoint, so a savepoint per message cost a segment (and its later merges) per message, more than
   * the row itself (bench/README.md, `mllp`). Should the batch fail, each is inserted again alone, so
   * only a failing message rejects.
   */
  saveJournaled(m: InboundMessage): Promise<SaveResult> {
    return new Promise((resolve, reject) => {
      this.journaled.push({ message: m, resolve, reject });
      if (this.journaled.length === 1) queueMicrotask(this.insertJournaled);
    });
  }

  settled(): Promise<void> {
    // What was saved before this call is in the transaction that settled() waits for.
    this.insertJournaled();
    return this.commit.settled();
  }

  private readonly insertJournaled = () => {
    const batch = this.journaled;
    if (batch.length === 0) return;
    this.journaled = [];
    this.commit
      .writeLazy(() => batch.map((j) => this.insertRow(j.message)))
      .then(
        (saved) => {
          for (let i = 0; i < batch.length; i++) batch[i].resolve(saved[i]);
        },
        () => {
          for (const j of batch)
            this.commit.writeLazy(() => this.insertRow(j.message)).then(j.resolve, j.reject);
        },
      );
  };

  /** Inserts the row, or finds the one already stored for this sender and control id. */
  private insertRow(m: InboundMessage): SaveResult {
    const at = m.receivedAt.getTime();
    const info = this.insert.run(
      m.listener,
      m.peer,
      m.sendingApplication,
      m.sendingFacility,
      m.receivingApplication,
      m.receivingFacility,
      m.messageType,
      m.triggerEvent,
      m.controlId,
      at,
      at,
      m.raw.length,
      m.raw,
      patientMrnOf(m.raw),
    );
    if (info.changes === 1) {
      const id = Number(info.lastInsertRowid);
      this.indexWords.run(id, wordsText(m.raw));
      return { id, duplicate: false };
    }
    const row = this.findDuplicate.get(m.listener, m.sendingApplication, m.sendingFacility, m.controlId) as {
      id: number;
    };
    return { id: row.id, duplicate: true };
  }

  async get(id: number): Promise<StoredMessage | undefined> {
    const row = this.byId.get(id) as MessageRow | undefined;
    return row ? toStored(row) : undefined;
  }

  async list(q: MessageQuery): Promise<{ items: MessageSummary[]; total: number; totalExact: boolean }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.controlId) {
      where.push('control_id = ?');
      args.push(q.controlId);
    }
    if (q.sender) {
      where.push('(sending_application = ? OR sending_facility = ?)');
      args.push(q.sender, q.sender);
    }
    if (q.type) {
      const [type, trigger] = q.type.split('^');
      where.push('message_type = ?');
      args.push(type);
      if (trigger) {
        where.push('trigger_event = ?');
        args.push(trigger);
      }
    }
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.since) {
      where.push('received_at >= ?');
      args.push(q.since.getTime());
    }
    if (q.until) {
      where.push('received_at < ?');
      args.push(q.until.getTime());
    }
    if (q.listener) {
      where.push('listener = ?');
      args.push(q.listener);
    }
    if (q.mrn) {
      where.push('patient_mrn = ?');
      args.push(q.mrn);
    }
    if (q.text !== undefined) {
      const words = fts5Words(q.text);
      // Words with nothing to search by (only punctuation) match nothing rather than everything.
      where.push(words ? 'id IN (SELECT rowid FROM message_words WHERE message_words MATCH ?)' : '0');
      if (words) args.push(words);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    // The page size written into the statement: SQLite sorts a bound LIMIT's page slower (a lookup by
    // control id took 17 µs with `LIMIT ?` against 7 µs with `LIMIT 50`, same rows and plan).
    const rows = this.statement(
      `SELECT ${summaryColumns} FROM messages ${clause} ORDER BY received_at DESC, id DESC LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ?`,
    ).all(...args, offset) as MessageRow[];
    const items = rows.map(toSummary);
    const known = totalFromPage(offset, limit, rows.length);
    if (known !== undefined) return { items, total: known, totalExact: true };
    const cap = q.countUpTo;
    const counted = (
      cap === undefined
        ? this.statement(`SELECT count(*) AS n FROM messages ${clause}`).get(...args)
        : this.statement(`SELECT count(*) AS n FROM (SELECT 1 FROM messages ${clause} LIMIT ?)`).get(
            ...args,
            cap + 1,
          )
    ) as { n: number };
    const totalExact = cap === undefined || counted.n <= cap;
    return { items, total: totalExact ? counted.n : (cap as number), totalExact };
  }

  /**
   * A search's statement, prepared once per combination of filters and page size: preparing costs
   * more than an indexed lookup itself (bench/message-search.ts).
   */
  private statement(sql: string) {
    let statement = this.searches.get(sql);
    if (!statement) {
      // Page sizes are part of the text: a client asking odd sizes must not grow the cache without end.
      if (this.searches.size >= 256) this.searches.clear();
      statement = this.db.prepare<unknown[]>(sql);
      this.searches.set(sql, statement);
    }
    return statement;
  }

  async setStatus(id: number, status: MessageStatus, detail?: string): Promise<void> {
    await this.commit.write(() => this.updateStatus.run(status, detail ?? null, Date.now(), id));
  }

  async pending(limit: number, afterId = 0): Promise<StoredMessage[]> {
    return (this.pendingRows.all(afterId, limit) as MessageRow[]).map(toStored);
  }

  /** One instance per data folder: what it did not route before a restart is `pending`. */
  async adoptUnrouted(): Promise<StoredMessage[]> {
    return [];
  }

  routingStarted(id: number): Promise<number> {
    return this.commit.writeDurable(
      () => (this.countAttempt.get(id) as { routing_attempts: number } | undefined)?.routing_attempts ?? 0,
    );
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
