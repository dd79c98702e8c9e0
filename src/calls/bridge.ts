/**
 * A connected call: two dialogs, one per side, with the gateway as the user agent of both (a B2BUA,
 * RFC 7092 section 3.1). Whatever one side asks inside its dialog is asked of the other side in the
 * other dialog, and the answer is carried back: BYE ends both, a re-INVITE (hold, codec change) is
 * relayed with its SDP, INFO/UPDATE/… likewise. Nothing of one side's identity leaks to the other:
 * every relayed request is built fresh from our own dialog state.
 */

import { buildResponse } from '../protocols/sip/build.ts';
import {
  acceptInDialogRequest,
  applyInDialogResponse,
  buildAckFor2xx,
  buildInDialogRequest,
  type Dialog,
} from '../protocols/sip/dialog.ts';
import type { NextHop, SipTransportName } from '../protocols/sip/hop.ts';
import { getHeader, type SipRequest, type SipResponse } from '../protocols/sip/message.ts';
import type { ServerInviteTransaction } from '../protocols/sip/server-invite-transaction.ts';
import type { ServerTransaction } from '../protocols/sip/transaction-layer.ts';
import type { SipNetwork } from './sip-network.ts';

export interface BridgeSide {
  label: 'caller' | 'callee';
  dialog: Dialog;
  transport: SipTransportName;
  personId: string | null;
}

/** The body of `message` and its Content-Type, for carrying an SDP offer or answer across. */
export function bodyOf(message: SipRequest | SipResponse): { body?: Buffer; contentType?: string } {
  if (message.body.length === 0) return {};
  return { body: message.body, contentType: getHeader(message, 'Content-Type') ?? 'application/sdp' };
}

export class Bridge {
  ended = false;
  private readonly pendingInvite = new Set<BridgeSide>();

  constructor(
    readonly caller: BridgeSide,
    readonly callee: BridgeSide,
    private readonly endpoint: SipNetwork,
    private readonly onEnd: (by: 'caller' | 'callee' | 'system') => void,
  ) {}

  other(side: BridgeSide): BridgeSide {
    return side === this.caller ? this.callee : this.caller;
  }

  hopOf(side: BridgeSide): NextHop {
    return this.endpoint.nextHop(side.dialog.remoteTarget, side.dialog.routeSet);
  }

  /** A request that arrived inside `side`'s dialog. */
  handle(side: BridgeSide, request: SipRequest, tx: ServerTransaction): void {
    const refused = acceptInDialogRequest(side.dialog, request);
    if (refused) {
      tx.respond(buildResponse(request, refused.status, { reason: refused.reason }));
      return;
    }
    if (request.method === 'BYE') {
      tx.respond(buildResponse(request, 200));
      if (!this.ended) {
        this.sendBye(this.other(side));
        this.finish(side.label);
      }
      return;
    }
    if (this.ended) {
      tx.respond(buildResponse(request, 481));
      return;
    }
    if (request.method === 'INVITE') {
      this.relayInvite(side, request, tx as ServerInviteTransaction);
      return;
    }
    this.relay(side, request, tx);
  }

  /** Ends the call from our side (an ACK that never came, a shutdown). */
  hangUp(): void {
    if (this.ended) return;
    this.sendBye(this.caller);
    this.sendBye(this.callee);
    this.finish('system');
  }

  private finish(by: 'caller' | 'callee' | 'system'): void {
    this.ended = true;
    this.onEnd(by);
  }

  private sendBye(side: BridgeSide): void {
    if (side.dialog.state === 'terminated') return;
    const bye = buildInDialogRequest(side.dialog, 'BYE', { via: this.endpoint.via(side.transport) });
    side.dialog.state = 'terminated';
    try {
      this.endpoint.request(bye, this.hopOf(side), { response() {}, timeout() {} });
    } catch {
      // The other side is unreachable; the call is over for us either way.
    }
  }

  // A re-INVITE: offer in, offer out; the answer comes back in the 2xx (RFC 3264 section 8).
  private relayInvite(from: BridgeSide, request: SipRequest, tx: ServerInviteTransaction): void {
    const to = this.other(from);
    if (this.pendingInvite.has(to) || this.pendingInvite.has(from)) {
      // Glare (RFC 3261 section 14.2): one re-INVITE at a time per call.
      tx.respond(buildResponse(request, 491));
      return;
    }
    this.pendingInvite.add(from);
    const invite = buildInDialogRequest(to.dialog, 'INVITE', {
      via: this.endpoint.via(to.transport),
      contact: this.endpoint.contact(to.transport),
      ...bodyOf(request),
    });
    const done = () => this.pendingInvite.delete(from);
    this.endpoint.request(invite, this.hopOf(to), {
      response: (response) => {
        if (response.status < 200) return;
        applyInDialogResponse(to.dialog, invite, response);
        if (response.status < 300) {
          this.endpoint.sendAck(
            buildAckFor2xx(to.dialog, invite, { via: this.endpoint.via(to.transport) }),
            this.hopOf(to),
          );
        }
        if (tx.finalStatus !== undefined) return; // a 2xx retransmission: ACKed again above, already answered
        done();
        const answer = buildResponse(request, response.status, {
          reason: response.reason,
          ...(response.status < 300 ? bodyOf(response) : {}),
        });
        if (response.status < 300) answer.contact = [this.endpoint.contact(from.transport)];
        tx.respond(answer);
      },
      timeout: () => {
        done();
        tx.respond(buildResponse(request, 408));
      },
      transportError: () => {
        done();
        tx.respond(buildResponse(request, 503));
      },
    });
  }

  // INFO, UPDATE, MESSAGE, OPTIONS … inside the dialog: asked of the other side, answered with its answer.
  private relay(from: BridgeSide, request: SipRequest, tx: ServerTransaction): void {
    const to = this.other(from);
    const forwarded = buildInDialogRequest(to.dialog, request.method, {
      via: this.endpoint.via(to.transport),
      contact: request.method === 'UPDATE' ? this.endpoint.contact(to.transport) : undefined,
      ...bodyOf(request),
    });
    this.endpoint.request(forwarded, this.hopOf(to), {
      response: (response) => {
        if (response.status < 200) return;
        applyInDialogResponse(to.dialog, forwarded, response);
        const answer = buildResponse(request, response.status, {
          reason: response.reason,
          ...bodyOf(response),
        });
        if (request.method === 'UPDATE' && response.status < 300)
          answer.contact = [this.endpoint.contact(from.transport)];
        tx.respond(answer);
      },
      timeout: () => tx.respond(buildResponse(request, 408)),
      transportError: () => tx.respond(buildResponse(request, 503)),
    });
  }
}
