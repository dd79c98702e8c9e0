/**
 * INVITE client transaction, RFC 3261 section 17.1.1 as updated by RFC 6026 section 7.2.
 *
 *                      |INVITE from TU
 *    Timer A fires     |INVITE sent          Timer B fires
 *    Reset A,          V                     or Transport Err.
 *    INVITE sent +-----------+               inform TU
 *      +---------|           |--------------------------+
 *      |         |  Calling  |                          |
 *      +-------->|           |-----------+              |
 *                +-----------+ 2xx       |              |
 *                   |  |       2xx to TU |              |
 *                   |  |1xx              |              |
 *   300-699         |  |1xx to TU        |              |
 *   ACK sent        |  V                 |              |
 *   resp. to TU     +-----------+        |              |
 *         +---------|Proceeding |--------+              |
 *         |         +-----------+ 2xx to TU             |
 *         |                     |                       |
 *         V                     V                       |
 *   +-----------+         +-----------+                 |
 *   | Completed |         | Accepted  |  2xx to TU      |
 *   +-----------+         +-----------+  (RFC 6026)     |
 *  300-699: ACK sent          | Timer M                 |
 *  Timer D  |                 V                         |
 *           +------------> Terminated <-----------------+
 */
import { buildAckForFailure } from './build.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export interface ClientTransactionUser {
  /** Every provisional and final response the TU must see (retransmitted non-2xx finals are absorbed). */
  response(response: SipResponse): void;
  /** Timer B / F fired: no final response (the TU treats it as a 408). */
  timeout(): void;
  transportError?(error: unknown): void;
}

export type ClientInviteState = 'calling' | 'proceeding' | 'completed' | 'accepted';

export class ClientInviteTransaction extends Transaction<ClientInviteState> {
  private ack: SipRequest | undefined;

  constructor(
    key: string,
    readonly request: SipRequest,
    channel: TransactionChannel,
    timing: TransactionTiming,
    private readonly tu: ClientTransactionUser,
  ) {
    super(key, channel, timing, 'calling');
  }

  start(): void {
    if (!this.transmit(this.request)) return;
    if (!this.channel.reliable) this.retransmitAfter(this.t1);
    this.arm('B', 64 * this.t1, () => {
      this.enter('terminated');
      this.tu.timeout();
    });
  }

  // Timer A: retransmit at T1, 2*T1, 4*T1... while Calling (no cap at T2 for INVITE).
  private retransmitAfter(interval: number): void {
    this.arm('A', interval, () => {
      if (this.transmit(this.request)) this.retransmitAfter(interval * 2);
    });
  }

  receive(response: SipResponse): void {
    const { status } = response;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.disarm('A');
        if (status < 200) {
          this.disarm('B');
          this.enter('proceeding');
        } else if (status < 300) {
          this.disarm('B');
          this.enter('accepted');
          this.arm('M', 64 * this.t1, () => this.enter('terminated'));
        } else {
          this.disarm('B');
          this.enter('completed');
          this.ack = buildAckForFailure(this.request, response);
          this.transmit(this.ack);
          this.arm('D', this.channel.reliable ? 0 : Math.max(32_000, 64 * this.t1), () =>
            this.enter('terminated'),
          );
        }
        this.tu.response(response);
        break;
      case 'accepted':
        // RFC 6026: further 2xx (retransmissions, or from other forks) go to the TU, which ACKs them.
        if (status >= 200 && status < 300) this.tu.response(response);
        break;
      case 'completed':
        // A retransmitted final response: the ACK was lost, send it again; the TU already knows.
        if (status >= 300 && this.ack) this.transmit(this.ack);
        break;
      default:
    }
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    this.enter('terminated');
    this.tu.transportError?.(error);
  }
}
