import type { InboxFeed, InboxPort, InboxReceipt, StoredArrival } from '../inbox-port.ts';
import type { InboundMessage, MessageStore } from '../port.ts';

/**
 * The inbox of a networked store (PostgreSQL): accept is the INSERT itself, group-committed with the
 * other messages of the same turn, and resolves when the COMMIT returned. Nothing is kept on this
 * machine, so an instance that dies holds no acknowledged message that the others cannot see; there is
 * nothing to confirm and nothing to replay. A repeat of a stored control id is acknowledged and not
 * handed over.
 */
export class DatabaseInbox implements InboxPort, InboxFeed {
  private handler: (arrival: StoredArrival) => void = () => {};

  constructor(private readonly messages: MessageStore) {}

  async accept(message: InboundMessage): Promise<InboxReceipt> {
    const saved = await this.messages.saveInbound(message, (s) => {
      // Routing starts as soon as the row is committed, alongside the ACK.
      if (!s.duplicate) this.handler({ messageId: s.id, listener: message.listener, raw: message.raw });
    });
    return { sequence: saved.id };
  }

  async replay(): Promise<number> {
    return 0;
  }

  onStored(handler: (arrival: StoredArrival) => void): void {
    this.handler = handler;
  }

  ingested(): Promise<void> {
    return this.messages.settled();
  }
}
