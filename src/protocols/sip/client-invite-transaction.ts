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
import { type Resend, Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export interface ClientTransactionUser {
  /** Every provisional and final response the TU must see (retransmitted non-2xx finals are absorbed). */
  response(response: SipResponse): void;
  /** Timer B / F fired: no final response (the TU treats it as a 408). */
  timeout(): void;
  transportError?(error: unknown): void;
}

/** The user of a transaction whose user can hear nothing more from it. */
export const NO_CLIENT_USER: ClientTransactionUser = Object.freeze({ response() {}, timeout() {} });

export type ClientInviteState = 'calling' | 'proceeding' | 'completed' | 'accepted';

/**
 * After a final response the machine keeps only what Timer D or M needs: the failure ACK's bytes, or its
 * user for the 2xx retransmissions (which the user may swap for something smaller once it has sent its ACK,
 * see `user`). The INVITE goes: at hundreds of calls per second those 32 s hold thousands of calls.
 */
export class ClientInviteTransaction extends Transaction<ClientInviteState> {
  /** Sends the INVITE again (Timer A), and builds the failure ACK from; kept until a final response. */
  private request: SipRequest | undefined;
  private sentRequest: Resend | undefined;
  private ack: Resend | undefined;
  /** The current interval of Timer A. */
  private interval = 0;

  constructor(
    key: string,
    request: SipRequest,
    channel: TransactionChannel,
    timing: TransactionTiming,
    /** Hears the responses; in Accepted only 2xx retransmissions, so a UAC core that has ACKed may swap it. */
    public user: ClientTransactionUser,
  ) {
    super(key, channel, timing, 'calling');
    this.request = request;
  }

  start(): void {
    const sent = this.transmit(this.request!);
    if (!sent) return;
    this.sentRequest = sent;
    if (!this.channel.reliable) this.retransmitAfter(this.t1);
    this.arm('B', 64 * this.t1);
  }

  private retransmitAfter(interval: number): void {
    this.interval = interval;
    this.arm('A', interval);
  }

  protected expire(timer: string): void {
    switch (timer) {
      case 'A':
        // Retransmit at T1, 2*T1, 4*T1... while Calling (no cap at T2 for INVITE).
        if (this.sentRequest && this.retransmit(this.sentRequest)) this.retransmitAfter(this.interval * 2);
        return;
      case 'B': {
        const user = this.user;
        this.enter('terminated');
        user.timeout();
        return;
      }
      default: // D, M
        this.enter('terminated');
    }
  }

  receive(response: SipResponse): void {
    const { status } = response;
    switch (this.state) {
      case 'calling':
      case 'proceeding': {
        this.disarm('A');
        const user = this.user;
        if (status < 200) {
          this.disarm('B');
          this.enter('proceeding');
        } else if (status < 300) {
          this.disarm('B');
          this.forgetRequest();
          this.enter('accepted');
          this.arm('M', 64 * this.t1);
        } else {
          this.disarm('B');
          const ack = buildAckForFailure(this.request!, response);
          this.forgetRequest();
          // Completed only absorbs retransmitted finals: the user has its answer below.
          this.user = NO_CLIENT_USER;
          this.enter('completed');
          this.ack = this.transmit(ack);
          this.arm('D', this.channel.reliable ? 0 : Math.max(32_000, 64 * this.t1));
        }
        user.response(response);
        break;
      }
      case 'accepted':
        // RFC 6026: further 2xx (retransmissions, or from other forks) go to the TU, which ACKs them.
        if (status >= 200 && status < 300) this.user.response(response);
        break;
      case 'completed':
        // A retransmitted final response: the ACK was lost, send it again; the TU already knows.
        if (status >= 300 && this.ack) this.retransmit(this.ack);
        break;
      default:
    }
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    const user = this.user;
    this.enter('terminated');
    user.transportError?.(error);
  }

  protected override released(): void {
    this.forgetRequest();
    this.ack = undefined;
    this.user = NO_CLIENT_USER;
  }

  private forgetRequest(): void {
    this.request = undefined;
    this.sentRequest = undefined;
  }
}
