/**
 * INVITE server transaction, RFC 3261 section 17.2.1 as updated by RFC 6026 section 7.1.
 *
 *                     |INVITE: pass to TU, send 100 Trying
 *                     V
 *  INVITE        +-----------+  2xx from TU: send        +-----------+  2xx from TU: send
 *  send last 1xx |           |--------------------------->|           |  INVITE: absorb
 *   +------------|Proceeding |                           | Accepted  |  ACK: to TU
 *   +----------->|           |  1xx from TU: send        |           |
 *                +-----------+                           +-----------+
 *  300-699 from TU |    | Transport Err.: inform TU           | Timer L
 *  send response   |    +------------------------------+      |
 *                  V                                   V      V
 *  INVITE:     +-----------+  Timer H: inform TU   +------------+
 *  send resp.  | Completed |---------------------->| Terminated |
 *  Timer G:    +-----------+                       +------------+
 *  send resp.      | ACK                                  ^
 *                  V                                      |
 *              +-----------+  Timer I                     |
 *              | Confirmed |------------------------------+
 *              +-----------+
 *
 * On an unreliable transport this machine also retransmits a 2xx from the Accepted state at T1,
 * 2*T1... capped at T2 until the ACK arrives: RFC 3261 section 13.3.1.4 gives that job to the
 * UAS core, and doing it here keeps every TU from re-implementing it. `ackTimeout` tells the TU when
 * Timer L ends Accepted without an ACK (the TU should then send BYE).
 */
import { buildResponse } from './build.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { type Resend, Transaction, type TransactionChannel, type TransactionTiming } from './transaction.ts';

export interface ServerTransactionUser {
  /** The ACK for this INVITE's 2xx (RFC 6026 Accepted state). */
  ack?(ack: SipRequest): void;
  /** INVITE: Timer H (non-2xx never ACKed) or Timer L without ACK for the 2xx. */
  timeout?(): void;
  transportError?(error: unknown): void;
}

/** What a transaction tells once its user can hear nothing more from it. */
export const NO_USER: ServerTransactionUser = Object.freeze({});

export type ServerInviteState = 'proceeding' | 'completed' | 'confirmed' | 'accepted';

/**
 * Once the caller has acknowledged a final response, the transaction only absorbs retransmissions until
 * Timer I or L, so it lets go of its user and of the response's bytes: at hundreds of calls per second,
 * 32 s of Timer L would otherwise keep every call's objects (its user is the call) in memory.
 */
export class ServerInviteTransaction extends Transaction<ServerInviteState> {
  user: ServerTransactionUser = NO_USER;
  /** How the ACK for its 2xx, which has a branch of its own, finds it in Accepted (set by the layer). */
  ackKey = '';
  /** The latest response, to send again on a retransmitted INVITE, Timer G or the 2xx timer. */
  private lastSent: Resend | undefined;
  #finalStatus: number | undefined;
  private acked = false;
  /** The current interval of the 2xx or Timer G retransmissions. */
  private interval = 0;

  constructor(key: string, channel: TransactionChannel, timing: TransactionTiming) {
    super(key, channel, timing, 'proceeding');
  }

  /** Sends 100 Trying to `invite` at once (section 17.2.1: unless the TU answers within 200 ms). */
  start(invite: SipRequest, sendTrying: boolean): void {
    if (sendTrying) this.respond(buildResponse(invite, 100));
  }

  /** The status of the final response sent, if any. */
  get finalStatus(): number | undefined {
    return this.#finalStatus;
  }

  respond(response: SipResponse): void {
    const { status } = response;
    if (this.state === 'accepted') {
      if (status >= 200 && status < 300) this.transmit(response);
      return;
    }
    if (this.state !== 'proceeding') return;
    const sent = this.transmit(response);
    if (!sent) return;
    this.lastSent = sent;
    if (status < 200) return;
    this.#finalStatus = status;
    const t1 = this.t1;
    if (status < 300) {
      this.enter('accepted');
      if (!this.channel.reliable) this.retransmitAfter('2xx', t1);
      else this.lastSent = undefined;
      this.arm('L', 64 * t1);
    } else {
      this.enter('completed');
      if (!this.channel.reliable) this.retransmitAfter('G', t1);
      this.arm('H', 64 * t1);
    }
  }

  private retransmitAfter(timer: '2xx' | 'G', interval: number): void {
    this.interval = interval;
    this.arm(timer, interval);
  }

  protected expire(timer: string): void {
    const user = this.user;
    switch (timer) {
      case '2xx':
      case 'G':
        // Doubling from T1, capped at T2 (sections 17.2.1 and 13.3.1.4).
        if (this.lastSent && this.retransmit(this.lastSent))
          this.retransmitAfter(timer, Math.min(this.interval * 2, this.timing.values.t2));
        return;
      case 'L':
        this.enter('terminated');
        if (!this.acked) user.timeout?.();
        return;
      case 'H':
        this.enter('terminated');
        user.timeout?.();
        return;
      default: // I
        this.enter('terminated');
    }
  }

  /** A retransmitted INVITE, or an ACK matched to this transaction. */
  receive(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.state === 'completed') {
        this.disarm('G');
        this.disarm('H');
        this.letGo();
        this.enter('confirmed');
        this.arm('I', this.channel.reliable ? 0 : this.timing.values.t4);
      } else if (this.state === 'accepted' && !this.acked) {
        this.disarm('2xx');
        this.acked = true;
        const user = this.user;
        // Until Timer L only INVITE retransmissions (absorbed) and repeats of this ACK (the TU has it) arrive.
        this.letGo();
        user.ack?.(request);
      }
      return;
    }
    // INVITE retransmission: repeat the latest response in Proceeding and Completed, absorb otherwise.
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastSent) {
      this.retransmit(this.lastSent);
    }
  }

  transportError(error: unknown): void {
    if (this.terminated) return;
    const user = this.user;
    this.enter('terminated');
    user.transportError?.(error);
  }

  protected override released(): void {
    this.letGo();
  }

  private letGo(): void {
    this.user = NO_USER;
    this.lastSent = undefined;
  }
}
