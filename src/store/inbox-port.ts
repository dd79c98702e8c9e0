/**
 * The inbox port: how a message a listener received becomes durable, then a row, then work for routing.
 *
 *   accept     the listener's side: the message is kept durably; when that resolves the ACK may go.
 *   hand over  the main thread's side: each accepted message is stored as a row (a repeat of an earlier
 *              one is told apart here) and the new ones are handed to routing.
 *   confirm    once the store holds the rows durably, whatever the inbox kept only until then can go.
 *   replay     at start, before any listener opens: what an earlier run accepted and the store may lack
 *              is stored first.
 *
 * The embedded store (store/inbox/) keeps an accepted message in the inbound journal, written and
 * flushed on the listener's own thread, and confirms and replays from there. A networked store can
 * implement accept as a plain INSERT, hand over as soon as it commits, and needs no confirm or replay.
 */
import type { InboundMessage } from './port.ts';

/** The inbox's answer to accept: the message is durable. */
export interface InboxReceipt {
  /**
   * The message's place in the order the inbox accepted messages (the journal record's sequence number
   * in the embedded store). Not a message id: the row, and its id, may come a moment after the ACK.
   */
  sequence: number;
}

/** What a listener needs of the store to receive a message. */
export interface InboxPort {
  /**
   * Keeps the message durably. Resolves once it is (the listener may acknowledge then); rejects when it
   * could not be kept (the listener refuses it, so the sender sends it again). A repeated control id is
   * accepted like any other: whether it is a repeat is known only once the row is stored, and it is
   * then neither stored nor routed twice.
   */
  accept(message: InboundMessage): Promise<InboxReceipt>;
}

/** An accepted message stored as a new row: what routing is handed. */
export interface StoredArrival {
  /** Id of the stored row (store.messages). */
  messageId: number;
  listener: string;
  /** The raw bytes, exactly as stored. */
  raw: Buffer;
}

/** The main thread's side of the inbox. */
export interface InboxFeed {
  /**
   * Stores what an earlier run accepted that the store may lack (after a crash, say), and makes it
   * durable. Called at start, before any listener takes messages. Resolves with how many rows were new;
   * they are `received`, for routing to take up with the rest of what it finds unrouted at start.
   */
  replay(): Promise<number>;
  /**
   * Hears of each accepted message once it is stored as a new row, in the order accepted; repeats are not
   * handed over. The handler must not throw: the row is stored, so a message routing refused stays
   * `received`.
   */
  onStored(handler: (arrival: StoredArrival) => void): void;
  /** Resolves once every message accepted so far is a row in the store, visible to readers. */
  ingested(): Promise<void>;
}
