/**
 * What the WCTP listener hands over when asked: the notices src/delivery/wctp/ held in the store's pickup
 * boxes for a poller (wctp-PollForMessages) or a transient client (wctp-ClientQuery). Kept in the store,
 * so a restart forgets nothing not yet collected. The listener reads and clears; it never composes them.
 */
import type {
  ClientMessageInput,
  MessageReceived,
  PolledOperationInput,
} from '../../protocols/wctp/index.ts';
import { clientBox, pollBox } from '../../protocols/wctp/notice.ts';
import type { PickupStore } from '../../store/outbox-port.ts';

export interface Polled {
  sequenceNo: string;
  message: PolledOperationInput;
}

export class WctpPickups {
  constructor(private readonly pickups: PickupStore) {}

  /**
   * wctp-PollForMessages: forgets what the poller confirmed (`received`), then hands over up to `max`
   * waiting messages, oldest first. Unconfirmed ones are handed over again at the next poll.
   */
  async poll(pollerID: string, received: readonly MessageReceived[], max: number): Promise<Polled[]> {
    const confirmed = received.map((r) => Number(r.sequenceNo)).filter((n) => Number.isSafeInteger(n));
    const held = await this.pickups.collect(pollBox(pollerID), confirmed, Math.max(1, max));
    return held.map((h) => ({
      sequenceNo: String(h.sequenceNo),
      message: h.payload as PolledOperationInput,
    }));
  }

  /** wctp-ClientQuery: the statuses and replies for a tracking number, each handed over once. */
  async takeForClient(trackingNumber: string): Promise<ClientMessageInput[]> {
    return (await this.pickups.takeAll(clientBox(trackingNumber))).map(
      (h) => h.payload as ClientMessageInput,
    );
  }
}
