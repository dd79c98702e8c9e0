import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { InboxPort, InboxReceipt } from '../inbox-port.ts';
import { encodeInbound } from '../journal/record.ts';
import { JournalWriter, type JournalWriterOptions } from '../journal/writer.ts';
import type { InboundMessage } from '../port.ts';
import type { FromJournal, JournaledRecord, ToJournal } from './channel.ts';

export interface JournalInboxOptions {
  /** Folder of the inbound journal. */
  dir: string;
  /** Segment and allocation sizes (the writer's defaults otherwise). */
  journal?: JournalWriterOptions;
  /** The channel to the main thread's EmbeddedInbox. */
  channel: MessagePort;
  log: Logger;
  /**
   * Records the main thread has not yet confirmed at which the inbox says it is behind (the listener
   * stops reading from senders), and at or below which it says it caught up.
   */
  pauseAt: number;
  resumeAt: number;
  /** Hears when the store falls behind the journal by `pauseAt` records, and when it is back to `resumeAt`. */
  onBehind: (behind: boolean, unconfirmed: number) => void;
  /**
   * Hears once when the disk refused a write. After that nothing says what reached the disk, so the
   * journal accepts nothing more: the thread should end, to be replaced after a replay.
   */
  onFailure: (error: Error) => void;
}

/**
 * The embedded store's inbox, as the listener's thread sees it: a message is accepted by appending it
 * to the inbound journal (durable when accept resolves, so the ACK may go), and each durable record is
 * sent to the main thread, which stores the row and routes it, then confirms it back so that the
 * journal can drop segments the database holds. Records of one flush travel together.
 */
export class JournalInbox implements InboxPort {
  private readonly journal: JournalWriter;
  private outgoing: JournaledRecord[] = [];
  private scheduled = false;
  private confirmed = 0;
  private behind = false;
  private closed = false;

  constructor(private readonly options: JournalInboxOptions) {
    this.journal = new JournalWriter(options.dir, options.journal);
    this.journal.onFailure = options.onFailure;
    options.channel.on('message', (message: ToJournal) => {
      if (message.kind === 'confirm') this.confirm(message.seq);
      else {
        this.send();
        this.post({ kind: 'synced', id: message.id });
      }
    });
  }

  async accept(message: InboundMessage): Promise<InboxReceipt> {
    const payload = encodeInbound(message);
    const seq = await this.journal.append(payload);
    this.outgoing.push({ seq, payload });
    if (!this.scheduled) {
      this.scheduled = true;
      // Every record of one flush resolves in the same turn: they travel together.
      queueMicrotask(this.send);
    }
    return { sequence: seq };
  }

  /**
   * Writes what is pending, sends every record over, then says so. Segments stay on the disk for the main
   * thread to clear (or to replay, should it not have stored them all).
   *
   * The channel is left open for the main thread to read to its end (EmbeddedInbox.journalEnded), and
   * unreferenced, so it does not keep this thread alive.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.journal.close();
    // Appends that close() flushed resolve in microtasks of this turn: let them join the last records.
    await new Promise((resolve) => setImmediate(resolve));
    this.send();
    this.post({ kind: 'closed' });
    this.options.channel.unref();
  }

  private readonly send = () => {
    this.scheduled = false;
    if (this.outgoing.length === 0) return;
    const records = this.outgoing;
    this.outgoing = [];
    // Each payload has memory of its own (record.ts): it moves to the main thread without a copy.
    this.post(
      { kind: 'accepted', records },
      records.map((r) => r.payload.buffer as ArrayBuffer),
    );
    const unconfirmed = this.journal.lastSeq - this.confirmed;
    if (!this.behind && unconfirmed >= this.options.pauseAt) {
      this.behind = true;
      this.options.onBehind(true, unconfirmed);
    }
  };

  private confirm(seq: number): void {
    this.confirmed = Math.max(this.confirmed, seq);
    try {
      this.journal.confirm(this.confirmed);
    } catch (err) {
      // Left on the disk, it is replayed (its rows skipped as duplicates) and deleted at the next start.
      this.options.log.error({ err }, 'could not remove a confirmed journal segment');
    }
    const unconfirmed = this.journal.lastSeq - this.confirmed;
    if (this.behind && unconfirmed <= this.options.resumeAt) {
      this.behind = false;
      this.options.onBehind(false, unconfirmed);
    }
  }

  private post(message: FromJournal, transfer?: ArrayBuffer[]): void {
    this.options.channel.postMessage(message, transfer);
  }
}
