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
import type { ServerTransactionUser } from './server-invite-transaction.ts';
import { Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed';

export class ServerNonInviteTransaction extends Transaction<ServerNonInviteState> {
  user: ServerTransactionUser = {};
  private lastResponse: SipResponse | undefined;

  constructor(
    key: string,
    readonly request: SipRequest,
    channel: TransactionChannel,
    timing: TransactionTiming,
  ) {
    super(key, channel, timing, 'trying');
  }

  get finalResponse(): SipResponse | undefined {
    return this.lastResponse !== undefined && this.lastResponse.status >= 200 ? this.lastResponse : undefined;
  }

  respond(response: SipResponse): void {
    if (this.state === 'completed' || this.terminated) return;
    this.lastResponse = response;
    if (!this.transmit(response)) return;
    if (response.status < 200) {
      this.enter('proceeding');
      return;
    }
    this.enter('completed');
    this.arm('J', this.channel.reliable ? 0 : 64 * this.t1, () => this.enter('terminated'));
  }

  /** A retransmission of the request: repeat the latest response, if any (nothing in Trying). */
  receive(_request: SipRequest): void {
    if (this.state !== 'trying' && this.lastResponse) this.transmit(this.lastResponse);
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    this.enter('terminated');
    this.user.transportError?.(error);
  }
}
