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
import { type ClientTransactionUser, NO_CLIENT_USER } from './client-invite-transaction.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { type Resend, Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed';

/** Completed only absorbs retransmitted finals until Timer K: the request and the user are let go. */
export class ClientNonInviteTransaction extends Transaction<ClientNonInviteState> {
  private request: SipRequest | undefined;
  private sentRequest: Resend | undefined;
  /** The current interval of Timer E. */
  private interval = 0;

  constructor(
    key: string,
    request: SipRequest,
    channel: TransactionChannel,
    timing: TransactionTiming,
    public user: ClientTransactionUser,
  ) {
    super(key, channel, timing, 'trying');
    this.request = request;
  }

  start(): void {
    const sent = this.transmit(this.request!);
    this.request = undefined;
    if (!sent) return;
    this.sentRequest = sent;
    if (!this.channel.reliable) this.retransmitAfter(this.t1);
    this.arm('F', 64 * this.t1);
  }

  private retransmitAfter(interval: number): void {
    this.interval = interval;
    this.arm('E', interval);
  }

  protected expire(timer: string): void {
    switch (timer) {
      case 'E': {
        // Doubles up to T2 in Trying; in Proceeding it is always T2 (section 17.1.2.2).
        if (!this.sentRequest || !this.retransmit(this.sentRequest)) return;
        const t2 = this.timing.values.t2;
        this.retransmitAfter(this.state === 'proceeding' ? t2 : Math.min(this.interval * 2, t2));
        return;
      }
      case 'F': {
        const user = this.user;
        this.enter('terminated');
        user.timeout();
        return;
      }
      default: // K
        this.enter('terminated');
    }
  }

  receive(response: SipResponse): void {
    if (this.state === 'completed' || this.terminated) return; // retransmitted finals are absorbed
    const user = this.user;
    if (response.status < 200) {
      this.enter('proceeding');
    } else {
      this.disarm('E');
      this.disarm('F');
      this.released();
      this.enter('completed');
      this.arm('K', this.channel.reliable ? 0 : this.timing.values.t4);
    }
    user.response(response);
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    const user = this.user;
    this.enter('terminated');
    user.transportError?.(error);
  }

  protected override released(): void {
    this.request = undefined;
    this.sentRequest = undefined;
    this.user = NO_CLIENT_USER;
  }
}
