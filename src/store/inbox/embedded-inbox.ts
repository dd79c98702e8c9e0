import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { InboxFeed, StoredArrival } from '../inbox-port.ts';
import { decodeInbound } from '../journal/record.ts';
import { clearJournal, replayInboundJournal } from '../journal/replay.ts';
import type { MessageStore } from '../port.ts';
import type { FromJournal, JournaledRecord, ToJournal } from './channel.ts';

export interface EmbeddedInboxDeps {
  messages: Pick<MessageStore, 'saveJournaled' | 'settled'>;
  /** Puts every write so far on the disk (after a replay, and when the inbox closes). */
  durable: () => Promise<void>;
  log: Logger;
  /** Folder of the inbound journal (inside the data folder). */
  journalDir: string;
}

/** One listener thread's JournalInbox, seen from here. */
interface Journal {
  port: MessagePort;
  /** Resolves when that journal said it closed with every record sent. */
  closed: Promise<void>;
  /** Takes one message of the thread's (the port's listener, also called for what is read at its end). */
  take: (message: FromJournal) => void;
}

/**
 * The embedded store's inbox, main-thread side. A listener's thread accepts messages into the inbound
 * journal (JournalInbox, at the other end of the channel that `openJournal` makes); here each record
 * becomes a row (`saveJournaled`: durable already, through the journal), the new ones go to routing,
 * and once a flush of the database covers them the journal hears that it may drop them.
 *
 * A row is written after its ACK, so after a crash `replay` stores whatever the journal still holds
 * (rows already there are skipped as duplicates), makes that durable and clears the journal, before a
 * listener opens again.
 */
export class EmbeddedInbox implements InboxFeed {
  private handOver: (arrival: StoredArrival) => void = () => {};
  private journal?: Journal;
  /**
   * Records that could not be stored yet (a full disk, say), with the journal they came from: retried,
   * and never confirmed past.
   */
  private unstored: Array<{ record: JournaledRecord; from?: MessagePort }> = [];
  private retryTimer?: NodeJS.Timeout;
  private readonly syncs = new Map<number, () => void>();
  private nextSync = 0;

  constructor(private readonly deps: EmbeddedInboxDeps) {}

  async replay(): Promise<number> {
    const replayed = await replayInboundJournal(this.deps.journalDir, this.deps.messages, this.deps.durable);
    if (replayed > 0)
      this.deps.log.info({ messages: replayed }, 'stored messages replayed from the inbound journal');
    return replayed;
  }

  onStored(handler: (arrival: StoredArrival) => void): void {
    this.handOver = handler;
  }

  ingested(): Promise<void> {
    const port = this.journal?.port;
    if (!port) return Promise.resolve();
    const id = ++this.nextSync;
    return new Promise((resolve) => {
      this.syncs.set(id, resolve);
      this.post(port, { kind: 'sync', id });
    });
  }

  /**
   * A channel for a new listener thread's JournalInbox: transfer the returned port to that thread. Only
   * one journal is written at a time; call after `replay`, which leaves the journal empty.
   */
  openJournal(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    let closed!: () => void;
    const take = (message: FromJournal) => {
      if (message.kind === 'accepted')
        this.store(
          message.records.map((r) => ({
            seq: r.seq,
            payload: Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
          })),
          port1,
        );
      else if (message.kind === 'synced') {
        this.syncs.get(message.id)?.();
        this.syncs.delete(message.id);
      } else closed();
    };
    const journal: Journal = { port: port1, closed: new Promise((resolve) => (closed = resolve)), take };
    port1.on('message', take);
    this.journal = journal;
    return port2;
  }

  /** Resolves when the current journal closed with every record it took sent here. */
  journalClosed(): Promise<void> {
    return this.journal?.closed ?? Promise.resolve();
  }

  /**
   * The thread writing the journal ended, or is being ended. Whoever waits for ingested() is released:
   * what that thread did not send is in its journal, replayed before the next one starts.
   */
  journalEnded(): void {
    const journal = this.journal;
    if (journal) {
      // The thread's exit can be seen before the last messages it posted: the port and the thread are
      // separate queues. Read what is waiting (its last records, its word that it closed) before closing.
      for (let m = receiveMessageOnPort(journal.port); m; m = receiveMessageOnPort(journal.port))
        journal.take(m.message as FromJournal);
      journal.port.close();
    }
    this.journal = undefined;
    for (const resolve of this.syncs.values()) resolve();
    this.syncs.clear();
  }

  /**
   * After the listener's thread ended: stores what is still unstored, makes every row durable, and clears
   * the journal when it is all in the store (`complete`: the journal said it closed with every record
   * sent). Otherwise the journal is kept, to be replayed at the next start; nothing acknowledged is lost.
   */
  async close(complete: boolean): Promise<void> {
    this.journalEnded();
    clearTimeout(this.retryTimer);
    this.retryUnstored();
    await this.deps.durable();
    if (complete && this.unstored.length === 0) clearJournal(this.deps.journalDir);
    else
      this.deps.log.warn(
        { unstored: this.unstored.length },
        'the inbound journal is kept and replayed into the store at the next start',
      );
  }

  /** Writes records into the store in journal order and hands the new ones to routing. */
  private store(records: JournaledRecord[], port?: MessagePort): void {
    for (const record of records) {
      const message = decodeInbound(record.payload);
      this.deps.messages.saveJournaled(message).then(
        (saved) => {
          if (saved.duplicate) {
            this.deps.log.info(
              { peer: message.peer, controlId: message.controlId, messageId: saved.id },
              'duplicate message acknowledged again; not stored or routed twice',
            );
            return;
          }
          try {
            this.handOver({ messageId: saved.id, listener: message.listener, raw: message.raw });
          } catch (err) {
            this.deps.log.error(
              { err, messageId: saved.id },
              'routing core refused a stored message; it stays received',
            );
          }
        },
        (err: unknown) => {
          this.deps.log.error(
            { err, controlId: message.controlId },
            'could not store a journaled message; kept in the journal and retried',
          );
          this.storeAgainLater([record], port);
        },
      );
    }
    if (records.length > 0 && port) void this.confirmWhenSettled(port, records);
  }

  private storeAgainLater(records: JournaledRecord[], from?: MessagePort): void {
    for (const record of records) this.unstored.push({ record, from });
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.retryUnstored();
    }, 1000);
  }

  private retryUnstored(): void {
    const again = this.unstored;
    this.unstored = [];
    const byJournal = new Map<MessagePort | undefined, JournaledRecord[]>();
    for (const { record, from } of again) {
      const records = byJournal.get(from);
      if (records) records.push(record);
      else byJournal.set(from, [record]);
    }
    for (const [from, records] of byJournal) this.store(records, from);
  }

  /**
   * Tells the journal which records the store holds on the disk, never past one still unstored. When a
   * commit failed meanwhile (its rows rolled back), the records are stored again instead: rows that did
   * reach the disk are skipped as duplicates.
   */
  private async confirmWhenSettled(port: MessagePort, records: JournaledRecord[]): Promise<void> {
    const seq = records[records.length - 1].seq;
    try {
      await this.deps.messages.settled();
    } catch (err) {
      this.deps.log.error({ err }, 'a store commit failed; journaled messages are stored again');
      this.storeAgainLater(records, port);
      return;
    }
    const held = this.unstored.reduce(
      (min, u) => (u.from === port ? Math.min(min, u.record.seq - 1) : min),
      seq,
    );
    // Sequence numbers start again with each journal: a confirmation only goes to the one it names.
    if (this.journal?.port === port) this.post(port, { kind: 'confirm', seq: held });
  }

  private post(port: MessagePort, message: ToJournal): void {
    port.postMessage(message);
  }
}
