import type { Logger } from 'pino';
import { type ListenerHealth, MllpListener, type MllpListenerOptions } from '../listeners/mllp/server.ts';
import type { TrafficBatch } from '../listeners/mllp/traffic-tally.ts';
import type { InboundPort } from '../routing/inbound-port.ts';
import { DatabaseInbox } from '../store/inbox/database-inbox.ts';
import type { MessageStore } from '../store/port.ts';
import type { KnownSenders } from './known-senders.ts';

export interface MllpDirectDeps {
  messages: MessageStore;
  inbound: InboundPort;
  log: Logger;
  application: string;
  facility: string;
  /** Hears what the listener counted per sender, every half second at most (operations dashboard, /metrics). */
  onTraffic?: (batch: TrafficBatch) => void;
  /** Known senders kept in the store: the reserve starts with them, and learns into them. */
  knownSenders?: KnownSenders;
}

/**
 * HL7 over MLLP on a networked store: the listener runs on the main thread and each message's ACK waits
 * for its row's COMMIT in the shared database (DatabaseInbox), not for a local journal. The embedded
 * store's separate thread exists to keep fdatasync off the loop; here the wait is a network round trip,
 * which the loop does not block on.
 */
export class MllpDirect {
  private readonly inbox: DatabaseInbox;
  private readonly listener: MllpListener;
  private trafficTimer?: NodeJS.Timeout;

  constructor(
    config: MllpListenerOptions,
    private readonly deps: MllpDirectDeps,
  ) {
    this.inbox = new DatabaseInbox(deps.messages);
    this.inbox.onStored((arrival) => deps.inbound.accept(arrival));
    this.listener = new MllpListener(config, {
      inbox: this.inbox,
      log: deps.log,
      application: deps.application,
      facility: deps.facility,
      knownSenders: deps.knownSenders?.recent,
      onKnownSender: deps.knownSenders ? (address) => deps.knownSenders?.remember(address) : undefined,
    });
  }

  start(): Promise<{ host: string; port: number }> {
    const onTraffic = this.deps.onTraffic;
    if (onTraffic) {
      this.trafficTimer = setInterval(() => {
        const batch = this.listener.takeTraffic();
        if (batch) onTraffic(batch);
      }, 500);
      this.trafficTimer.unref();
    }
    return this.listener.start();
  }

  health(): ListenerHealth {
    return this.listener.health();
  }

  /** Holds the senders (reads nothing from them) while routing is behind, and reads again once not. */
  routingBehind(behind: boolean): void {
    this.listener.setPaused(behind);
  }

  /** Resolves once every message acknowledged so far is a committed row. */
  ingested(): Promise<void> {
    return this.inbox.ingested();
  }

  async stop(): Promise<void> {
    clearInterval(this.trafficTimer);
    await this.listener.stop();
    await this.inbox.ingested().catch(() => {});
  }
}
