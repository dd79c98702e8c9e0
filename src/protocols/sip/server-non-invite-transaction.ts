/**
 * Non-INVITE server transaction, RFC 3261 section 17.2.2.
 *
 *                  |Request received: pass to TU
 *                  V
 *            +-----------+  1xx from TU: send     +-----------+  Request: send last 1xx
 *            |  Trying   |----------------------->|Proceeding |  1xx from TU: send
 *            +-----------+                        +-----------+
 *  200-699 from TU |                                    | 200-699 from TU: send
 *                  +-------------> Completed <----------+
 *                               Request: send response
 *                                    | Timer J (64*T1 unreliable, 0 reliable)
 *                                    V
 *                                Terminated
 */
import type { SipRequest, SipResponse } from './message.ts';
import { NO_USER, type ServerTransactionUser } from './server-invite-transaction.ts';
import { type Resend, Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed';

/** In Completed it keeps only the final response's bytes, to repeat them until Timer J (not the request). */
export class ServerNonInviteTransaction extends Transaction<ServerNonInviteState> {
  user: ServerTransactionUser = NO_USER;
  private lastSent: Resend | undefined;
  #finalStatus: number | undefined;

  constructor(key: string, channel: TransactionChannel, timing: TransactionTiming) {
    super(key, channel, timing, 'trying');
  }

  /** The status of the final response sent, if any. */
  get finalStatus(): number | undefined {
    return this.#finalStatus;
  }

  respond(response: SipResponse): void {
    if (this.state === 'completed' || this.terminated) return;
    const sent = this.transmit(response);
    if (!sent) return;
    this.lastSent = sent;
    if (response.status < 200) {
      this.enter('proceeding');
      return;
    }
    this.#finalStatus = response.status;
    this.user = NO_USER;
    this.enter('completed');
    this.arm('J', this.channel.reliable ? 0 : 64 * this.t1);
  }

  protected expire(): void {
    this.enter('terminated'); // Timer J
  }

  /** A retransmission of the request: repeat the latest response, if any (nothing in Trying). */
  receive(_request: SipRequest): void {
    if (this.state !== 'trying' && this.lastSent) this.retransmit(this.lastSent);
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    const user = this.user;
    this.enter('terminated');
    user.transportError?.(error);
  }

  protected override released(): void {
    this.user = NO_USER;
    this.lastSent = undefined;
  }
}
