import { patientMrnOf, wordsText } from '../message-search.ts';
import type { InboundMessage, SaveResult } from '../port.ts';
import type { PgPool } from './database.ts';
import { wordsOfText } from './message-words.ts';

interface Waiting {
  message: InboundMessage;
  onCommitted?: (saved: SaveResult) => void;
  resolve: (saved: SaveResult) => void;
  reject: (error: unknown) => void;
}

export interface InboundBatchOptions {
  /** The instance the messages are recorded under (InstanceLock.key): it routes them. */
  owner?: number;
  /** Messages in one INSERT at most. @defaultValue 500 */
  maxBatch?: number;
  /** Batches on their way at once (each on its own connection). @defaultValue 2 */
  maxInFlight?: number;
  log?: { error(obj: object, msg: string): void };
}

/*
 * One statement stores a whole batch: the rows go in as parallel arrays, the unique index on
 * (listener, sender, control id) drops repeats, and the answer pairs each input with its new id or the id
 * of the row stored earlier. The words of the new rows go into `message_words` in the same statement, so a
 * message is searchable once it is acknowledged. A single statement commits on its own, so a batch costs
 * one round trip and one WAL flush however many messages it holds.
 */
const insertBatch = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::bigint[], $11::int[], $12::bytea[], $13::text[], $15::text[]) WITH ORDINALITY
      AS t(listener, peer, sa, sf, ra, rf, mt, te, cid, received_at, size, raw, mrn, body, n)
  ), ins AS (
    INSERT INTO messages (listener, peer, sending_application, sending_facility, receiving_application,
      receiving_facility, message_type, trigger_event, control_id, received_at, status, updated_at, size, raw,
      patient_mrn, owner, words_due)
    SELECT listener, peer, sa, sf, ra, rf, mt, te, cid, received_at, 'received', received_at, size, raw, mrn,
      $14::bigint, false
      FROM input ORDER BY n
    ON CONFLICT (listener, sending_application, sending_facility, control_id) DO NOTHING
    RETURNING id, listener, sending_application, sending_facility, control_id
  ), words AS (
    INSERT INTO message_words (message_id, words)
      SELECT ins.id, ${wordsOfText('input.body')} FROM ins
        JOIN input ON ins.listener = input.listener AND ins.sending_application = input.sa
          AND ins.sending_facility = input.sf AND ins.control_id = input.cid
  )
  SELECT input.n, ins.id AS new_id, old.id AS old_id FROM input
    LEFT JOIN ins ON ins.listener = input.listener AND ins.sending_application = input.sa
      AND ins.sending_facility = input.sf AND ins.control_id = input.cid
    LEFT JOIN messages old ON old.listener = input.listener AND old.sending_application = input.sa
      AND old.sending_facility = input.sf AND old.control_id = input.cid
    ORDER BY input.n`;

const findOne = `SELECT id FROM messages
  WHERE listener = $1 AND sending_application = $2 AND sending_facility = $3 AND control_id = $4`;

const keyOf = (m: InboundMessage) =>
  JSON.stringify([m.listener, m.sendingApplication, m.sendingFacility, m.controlId]);

/**
 * Group commit of inbound messages on PostgreSQL: the messages handed in during one turn of the event loop
 * go to the database as one INSERT (up to `maxBatch`); while `maxInFlight` batches are on their way, new
 * ones wait and join the next. Each caller resolves when its batch's COMMIT returned (with
 * synchronous_commit on: on the disk), so an ACK sent then is never for a message the database lacks.
 */
export class InboundBatch {
  private queue: Waiting[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Batches and messages sent, for the benchmark's figures. */
  readonly stats = { batches: 0, messages: 0 };

  constructor(
    private readonly pool: PgPool,
    private readonly options: InboundBatchOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  save(message: InboundMessage, onCommitted?: (saved: SaveResult) => void): Promise<SaveResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, onCommitted, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.send);
      }
    });
  }

  private readonly send = () => {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.store(batch).finally(() => {
        this.inFlight -= 1;
        this.send();
      });
    }
  };

  private async store(batch: Waiting[]): Promise<void> {
    // A repeat inside the batch is answered from its first copy: one INSERT cannot tell them apart.
    const first = new Map<string, number>();
    const unique: Waiting[] = [];
    const copyOf: number[] = [];
    for (const w of batch) {
      const key = keyOf(w.message);
      const at = first.get(key);
      if (at === undefined) {
        first.set(key, unique.length);
        copyOf.push(unique.length);
        unique.push(w);
      } else copyOf.push(-1 - at);
    }
    let results: SaveResult[];
    try {
      results = await this.insert(unique.map((w) => w.message));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    this.stats.batches += 1;
    this.stats.messages += unique.length;
    batch.forEach((w, i) => {
      const slot = copyOf[i];
      const saved = slot >= 0 ? results[slot] : { id: results[-1 - slot].id, duplicate: true };
      try {
        w.onCommitted?.(saved);
      } catch (error) {
        this.options.log?.error({ err: error }, 'a commit listener failed');
      }
      w.resolve(saved);
    });
  }

  private async insert(messages: InboundMessage[]): Promise<SaveResult[]> {
    const column = <T>(pick: (m: InboundMessage) => T) => messages.map(pick);
    const { rows } = await this.pool.query<{ n: number; new_id: number | null; old_id: number | null }>(
      insertBatch,
      [
        column((m) => m.listener),
        column((m) => m.peer),
        column((m) => m.sendingApplication),
        column((m) => m.sendingFacility),
        column((m) => m.receivingApplication),
        column((m) => m.receivingFacility),
        column((m) => m.messageType),
        column((m) => m.triggerEvent),
        column((m) => m.controlId),
        column((m) => m.receivedAt.getTime()),
        column((m) => m.raw.length),
        column((m) => m.raw),
        column((m) => patientMrnOf(m.raw)),
        this.options.owner ?? null,
        column((m) => wordsText(m.raw)),
      ],
    );
    const results: SaveResult[] = [];
    for (const [i, row] of rows.entries()) {
      if (row.new_id !== null) results.push({ id: row.new_id, duplicate: false });
      else if (row.old_id !== null) results.push({ id: row.old_id, duplicate: true });
      else {
        // Another instance committed the same message while this statement ran: its row is there now.
        const m = messages[i];
        const again = await this.pool.query<{ id: number }>(findOne, [
          m.listener,
          m.sendingApplication,
          m.sendingFacility,
          m.controlId,
        ]);
        results.push({ id: again.rows[0].id, duplicate: true });
      }
    }
    return results;
  }
}
