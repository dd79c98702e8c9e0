import { encodeInbound } from '../../store/journal/record.ts';
import type { JournalWriter } from '../../store/journal/writer.ts';
import type { InboundMessage, MessageStore, SaveResult } from '../../store/port.ts';

/** A record made durable in the journal, on its way to the store. */
export interface JournaledRecord {
  seq: number;
  payload: Buffer;
}

/**
 * The store as the MLLP ingest thread sees it: a message is saved by appending it to the inbound journal
 * (durable when this resolves, so the ACK may go), and each durable record is handed to `forward`, which
 * carries it to the thread that owns the database. Duplicates are told apart there, when the row is
 * written; a repeated message is acknowledged AA here like any other, as it would be after a lookup.
 */
export class JournalInbox implements Pick<MessageStore, 'saveInbound'> {
  private outgoing: JournaledRecord[] = [];
  private scheduled = false;

  constructor(
    private readonly journal: JournalWriter,
    private readonly forward: (records: JournaledRecord[]) => void,
  ) {}

  async saveInbound(message: InboundMessage, onCommitted?: (saved: SaveResult) => void): Promise<SaveResult> {
    const payload = encodeInbound(message);
    const seq = await this.journal.append(payload);
    this.outgoing.push({ seq, payload });
    if (!this.scheduled) {
      this.scheduled = true;
      // Every record of one flush resolves in the same turn: they travel together.
      queueMicrotask(this.send);
    }
    const saved = { id: seq, duplicate: false };
    onCommitted?.(saved);
    return saved;
  }

  /** Hands over what is waiting now (before answering a question about how far the journal got). */
  readonly send = () => {
    this.scheduled = false;
    if (this.outgoing.length === 0) return;
    const records = this.outgoing;
    this.outgoing = [];
    this.forward(records);
  };
}
