/**
 * Non-INVITE client transaction, RFC 3261 section 17.1.2.
 *
 *                    |Request from TU
 *                    |send request
 *  Timer E           V
 *  send request +-----------+
 *      +--------|  Trying   |-------------+ Timer F or Transport Err.: inform TU
 *      +------->|           |             |
 *               +-----------+             |
 *  200-699         |  |1xx: resp. to TU    |
 *  resp. to TU     |  V                   |
 *      |  Timer E +-----------+           |
 *      |  send req|Proceeding |-----------+ Timer F or Transport Err.: inform TU
 *      |  +-------|           |           |
 *      |  +------>+-----------+           |
 *      |             | 200-699: resp. to TU|
 *      V             V                    |
 *   +-----------+  Timer K                |
 *   | Completed |-----------> Terminated <+
 *   +-----------+
 */
import type { ClientTransactionUser } from './client-invite-transaction.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed';

export class ClientNonInviteTransaction extends Transaction<ClientNonInviteState> {
  constructor(
    key: string,
    readonly request: SipRequest,
    channel: TransactionChannel,
    timing: TransactionTiming,
    private readonly tu: ClientTransactionUser,
  ) {
    super(key, channel, timing, 'trying');
  }

  start(): void {
    if (!this.transmit(this.request)) return;
    if (!this.channel.reliable) this.retransmitAfter(this.t1);
    this.arm('F', 64 * this.t1, () => {
      this.enter('terminated');
      this.tu.timeout();
    });
  }

  // Timer E: doubles up to T2 in Trying; in Proceeding it is always T2 (section 17.1.2.2).
  private retransmitAfter(interval: number): void {
    this.arm('E', interval, () => {
      if (!this.transmit(this.request)) return;
      const t2 = this.timing.values.t2;
      this.retransmitAfter(this.state === 'proceeding' ? t2 : Math.min(interval * 2, t2));
    });
  }

  receive(response: SipResponse): void {
    if (this.state === 'completed' || this.terminated) return; // retransmitted finals are absorbed
    if (response.status < 200) {
      this.enter('proceeding');
    } else {
      this.disarm('E');
      this.disarm('F');
      this.enter('completed');
      this.arm('K', this.channel.reliable ? 0 : this.timing.values.t4, () => this.enter('terminated'));
    }
    this.tu.response(response);
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    this.enter('terminated');
    this.tu.transportError?.(error);
  }
}
