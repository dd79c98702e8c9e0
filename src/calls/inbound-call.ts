/**
 * One call being set up (RFC 3261 B2BUA, RFC 7092 section 3.1): the caller's INVITE is answered by us,
 * and new INVITEs go out to the devices of whoever the routing core says answers the number now,
 * stage after stage (call order 1, then 2 …; or everyone at once). The first device to answer wins;
 * the others are cancelled. Busy, failure and no answer within the stage's time move on to the next stage.
 *
 *   caller ── INVITE ──> [gateway] ── INVITE (From: the hospital) ──> device 1 ┐ stage 1
 *          <── 100 ────           ── INVITE ───────────────────────> device 2 ┘
 *          <── 180 ──── (first ringing relayed)
 *          <── 200 ──── (SDP of the device that answered)      CANCEL the others
 *          ─── ACK ───>           ── ACK (caller's ACK body) ──> answering device
 *   then a Bridge relays BYE, re-INVITE, INFO … between the two dialogs.
 *
 * Number masking: every outbound INVITE is built fresh with the hospital's identity in From and
 * P-Asserted-Identity (RFC 3325); nothing of the caller's From, Contact or identity headers is copied.
 */
import type { NameAddr } from '../protocols/sip/address.ts';
import { buildCancel, buildRequest, buildResponse } from '../protocols/sip/build.ts';
import type { ClientTransactionUser } from '../protocols/sip/client-invite-transaction.ts';
import {
  buildAckFor2xx,
  buildInDialogRequest,
  createUacDialog,
  createUasDialog,
  type Dialog,
} from '../protocols/sip/dialog.ts';
import type { DigestClient } from '../protocols/sip/digest.ts';
import type { NextHop, RequestSource } from '../protocols/sip/hop.ts';
import { newBranch, newTag } from '../protocols/sip/ids.ts';
import type { SipRequest, SipResponse } from '../protocols/sip/message.ts';
import type { ServerInviteTransaction } from '../protocols/sip/server-invite-transaction.ts';
import type { TimerHandle, Timers } from '../protocols/sip/timers.ts';
import type { Resend } from '../protocols/sip/transaction.ts';
import type { ClientTransaction } from '../protocols/sip/transaction-layer.ts';
import { formatUri, type Uri } from '../protocols/sip/uri.ts';
import type { CallRoute, CallTarget } from '../routing/call-port.ts';
import type { CallDetailRecord, CallOutcome } from '../store/sip-port.ts';
import { Bridge, bodyOf } from './bridge.ts';
import type { SipNetwork } from './sip-network.ts';

export interface CallSetupDeps {
  endpoint: SipNetwork;
  timers: Timers;
  clock: () => number;
  /** The hospital's identity, shown to every callee (From and P-Asserted-Identity). */
  identity: () => NameAddr;
  devicesOf(personId: string): Uri[];
  /** The PBX trunk: where a trunk route's number goes, and our credentials there. */
  trunk?: { uriFor(number: string): Uri; digest?: DigestClient };
  /** A bridge is up: its two dialogs now receive in-dialog requests. */
  bridged(bridge: Bridge): void;
  /** The call is over (a CDR to keep). */
  ended(cdr: CallDetailRecord, bridge: Bridge | undefined): void;
}

interface Leg {
  invite: SipRequest;
  hop: NextHop;
  personId: string | null;
  target: string;
  state: 'calling' | 'ringing' | 'answered' | 'done';
  /** Cancel as soon as a provisional response allows it (section 9.1). */
  cancelWanted: boolean;
  dialog?: Dialog;
  /** The INVITE's client transaction, once sent. */
  tx?: ClientTransaction;
  /** Sends our ACK for its 2xx again (a retransmitted 2xx: the ACK was lost). */
  ackAgain?: Resend;
  authTried: boolean;
  /** Which stage offered it, and whether its outcome is already in the attempts. */
  stage: number;
  recorded: boolean;
}

type Attempt = CallDetailRecord['attempts'][number];

export class InboundCall {
  private readonly toTag = newTag();
  private stages: CallTarget[][] = [];
  private stageIndex = -1;
  private legs: Leg[] = [];
  private winner: Leg | undefined;
  private noAnswer: TimerHandle | undefined;
  private noAnswerMs = 20_000;
  private ringingSent = false;
  private settled = false;
  private bridge: Bridge | undefined;
  private readonly attempts: Attempt[] = [];
  private readonly startedAt: number;
  private connectedAt: number | null = null;
  private routeId: string | null = null;
  private lastStageStatuses: number[] = [];

  constructor(
    private readonly invite: SipRequest,
    private readonly tx: ServerInviteTransaction,
    private readonly source: RequestSource,
    private readonly deps: CallSetupDeps,
    private readonly dialled: string,
  ) {
    this.startedAt = deps.clock();
  }

  /** Whether the caller has had a final answer (answered, refused or cancelled). */
  get done(): boolean {
    return this.settled;
  }

  /** The routing core's answer for the dialled number arrived. */
  start(route: CallRoute | undefined, why = ''): void {
    if (this.settled) return;
    if (!route) {
      this.refuse(404, 'No such number', 'unroutable');
      return;
    }
    this.routeId = route.id;
    if (route.kind === 'trunk') {
      if (!this.deps.trunk) {
        this.refuse(503, 'No trunk configured', 'failed');
        return;
      }
      this.stages = [[{ personId: '', reason: `out over the trunk to ${route.number}` }]];
      this.trunkNumber = route.number;
    } else {
      this.stages = route.stages;
      this.noAnswerMs = route.noAnswerMs;
      if (!this.stages.length) {
        this.refuse(480, (route.notes[0] ?? why) || 'Nobody to take the call', 'unroutable');
        return;
      }
    }
    this.nextStage();
  }

  private trunkNumber: string | undefined;

  /** CANCEL from the caller (section 9.2): 487 to the INVITE, every leg cancelled. */
  cancel(): void {
    if (this.settled) return;
    this.cancelLegs(this.legs, 'SIP;cause=487;text="Caller hung up"');
    this.refuse(487, undefined, 'cancelled');
  }

  private nextStage(): void {
    this.clearNoAnswer();
    while (!this.settled) {
      this.stageIndex++;
      const stage = this.stages[this.stageIndex];
      if (!stage) {
        this.exhausted();
        return;
      }
      this.lastStageStatuses = [];
      const started = stage.flatMap((t) => this.offer(t));
      if (started.length === 0) continue;
      this.noAnswer = this.deps.timers.set(this.noAnswerMs, () => {
        this.noAnswer = undefined;
        const ringing = this.legs.filter((l) => l.state === 'calling' || l.state === 'ringing');
        for (const l of ringing) {
          this.attempt(l, 408, 'no answer');
          this.lastStageStatuses.push(408);
        }
        this.cancelLegs(ringing, 'SIP;cause=480;text="No answer"');
        this.nextStage();
      });
      return;
    }
  }

  /** INVITEs to every device of one target; returns the legs started. */
  private offer(target: CallTarget): Leg[] {
    const trunk = this.trunkNumber !== undefined && this.deps.trunk;
    const devices = trunk
      ? [this.deps.trunk!.uriFor(this.trunkNumber!)]
      : this.deps.devicesOf(target.personId);
    if (devices.length === 0) {
      this.attempts.push({
        personId: target.personId,
        target: '',
        status: 480,
        reason: 'no registered device',
      });
      this.lastStageStatuses.push(480);
      return [];
    }
    const legs: Leg[] = [];
    for (const uri of devices) {
      let hop: NextHop;
      try {
        hop = this.deps.endpoint.nextHop(uri);
      } catch (err) {
        this.attempts.push({
          personId: target.personId || null,
          target: formatUri(uri),
          status: 416,
          reason: (err as Error).message,
        });
        continue;
      }
      const leg: Leg = {
        invite: this.buildLegInvite(uri, hop),
        hop,
        personId: target.personId || null,
        target: formatUri(uri),
        state: 'calling',
        cancelWanted: false,
        authTried: false,
        stage: this.stageIndex,
        recorded: false,
      };
      this.legs.push(leg);
      legs.push(leg);
      this.send(leg);
    }
    return legs;
  }

  private buildLegInvite(uri: Uri, hop: NextHop): SipRequest {
    const identity = this.deps.identity();
    const request = buildRequest({
      method: 'INVITE',
      uri,
      from: identity,
      to: { uri, params: new Map() },
      via: this.deps.endpoint.via(hop.transport),
      contact: this.deps.endpoint.contact(hop.transport),
      headers: [
        { name: 'P-Asserted-Identity', value: `<${formatUri(identity.uri)}>` },
        { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE' },
      ],
      ...bodyOf(this.invite),
    });
    request.maxForwards = Math.max(0, (this.invite.maxForwards ?? 70) - 1);
    return request;
  }

  private send(leg: Leg): void {
    const user: ClientTransactionUser = {
      response: (response) => this.onResponse(leg, response),
      timeout: () => this.onFailure(leg, 408, 'no response'),
      transportError: () => this.onFailure(leg, 503, 'could not reach the device'),
    };
    try {
      leg.tx = this.deps.endpoint.request(leg.invite, leg.hop, user);
    } catch (err) {
      this.deps.timers.set(0, () => this.onFailure(leg, 503, (err as Error).message));
    }
  }

  private onResponse(leg: Leg, response: SipResponse): void {
    const { status } = response;
    if (status < 200) {
      if (leg.state === 'calling') leg.state = 'ringing';
      if (leg.cancelWanted) {
        leg.cancelWanted = false;
        this.sendCancel(leg);
      }
      if (status > 100 && !this.settled) this.relayProgress(response);
      return;
    }
    if (status < 300) {
      this.onAnswer(leg, response);
      return;
    }
    if (
      (status === 401 || status === 407) &&
      !leg.authTried &&
      this.deps.trunk?.digest &&
      leg.personId === null
    ) {
      // The PBX challenges us: the same INVITE again with credentials, a new CSeq and branch (section 22.2).
      leg.authTried = true;
      const again: SipRequest = {
        ...leg.invite,
        via: [
          { ...leg.invite.via[0]!, params: new Map(leg.invite.via[0]!.params).set('branch', newBranch()) },
        ],
        cseq: { seq: leg.invite.cseq.seq + 1, method: 'INVITE' },
        headers: [...leg.invite.headers],
      };
      if (this.deps.trunk.digest.authorize(again, response)) {
        leg.invite = again;
        this.send(leg);
        return;
      }
    }
    this.onFailure(leg, status, response.reason);
  }

  private onFailure(leg: Leg, status: number, reason: string): void {
    if (leg.state === 'done' || leg.state === 'answered') return;
    leg.state = 'done';
    if (!leg.recorded) {
      this.attempt(leg, status, status === 487 ? 'cancelled' : reason);
      if (leg.stage === this.stageIndex) this.lastStageStatuses.push(status);
    }
    if (this.settled || leg.stage !== this.stageIndex) return;
    const stageLegsOpen = this.legs.some(
      (l) => l.stage === this.stageIndex && (l.state === 'calling' || l.state === 'ringing'),
    );
    if (!stageLegsOpen) this.nextStage();
  }

  private attempt(leg: Leg, status: number, reason: string): void {
    leg.recorded = true;
    this.attempts.push({ personId: leg.personId, target: leg.target, status, reason });
  }

  private relayProgress(response: SipResponse): void {
    const early = response.status === 183 && response.body.length > 0;
    if (!early && this.ringingSent) return;
    this.ringingSent = true;
    const progress = buildResponse(this.invite, early ? 183 : 180, {
      toTag: this.toTag,
      ...(early ? bodyOf(response) : {}),
    });
    progress.contact = [this.deps.endpoint.contact(this.source.transport)];
    this.tx.respond(progress);
  }

  private onAnswer(leg: Leg, response: SipResponse): void {
    if (leg === this.winner) {
      // A retransmitted 2xx: our ACK was lost (or is still waiting for the caller's).
      leg.ackAgain?.();
      return;
    }
    const dialog = createUacDialog(leg.invite, response);
    if (this.settled || this.winner) {
      // Answered after someone else did, or after the caller gave up: ACK, then BYE (section 15).
      leg.state = 'done';
      const hop = this.hopOfDialog(dialog);
      this.deps.endpoint.sendAck(
        buildAckFor2xx(dialog, leg.invite, { via: this.deps.endpoint.via(hop.transport) }),
        hop,
      );
      const bye = buildInDialogRequest(dialog, 'BYE', { via: this.deps.endpoint.via(hop.transport) });
      this.deps.endpoint.request(bye, hop, { response() {}, timeout() {} });
      return;
    }
    this.winner = leg;
    leg.state = 'answered';
    leg.dialog = dialog;
    this.attempt(leg, 200, 'answered');
    this.clearNoAnswer();
    this.cancelLegs(
      this.legs.filter((l) => l !== leg),
      'SIP;cause=200;text="Call completed elsewhere"',
    );
    this.settled = true;
    this.connectedAt = this.deps.clock();
    const ok = buildResponse(this.invite, 200, { toTag: this.toTag, ...bodyOf(response) });
    ok.contact = [this.deps.endpoint.contact(this.source.transport)];
    const callerDialog = createUasDialog(this.invite, ok);
    const bridge = new Bridge(
      { label: 'caller', dialog: callerDialog, transport: this.source.transport, personId: null },
      { label: 'callee', dialog, transport: leg.hop.transport, personId: leg.personId },
      this.deps.endpoint,
      (by) => this.record('answered', 200, by),
    );
    this.bridge = bridge;
    this.deps.bridged(bridge);
    this.tx.user = {
      // The caller's ACK completes the offer/answer; the callee gets its ACK now, with any SDP it carried.
      ack: (ack) => {
        const hop = this.hopOfDialog(dialog);
        const ackToCallee = buildAckFor2xx(dialog, leg.invite, {
          via: this.deps.endpoint.via(hop.transport),
          ...bodyOf(ack),
        });
        leg.ackAgain = this.deps.endpoint.sendAck(ackToCallee, hop);
        // Until Timer M the callee's transaction only hears retransmissions of its 2xx. Answering them
        // needs our ACK's bytes, not this call, which it would otherwise keep in memory for 32 s.
        if (leg.tx) leg.tx.user = new AckAgainOn2xx(leg.ackAgain);
      },
      // Timer L without an ACK (section 13.3.1.4): the call cannot be used, end both sides.
      timeout: () => bridge.hangUp(),
    };
    this.tx.respond(ok);
  }

  private hopOfDialog(dialog: Dialog): NextHop {
    return this.deps.endpoint.nextHop(dialog.remoteTarget, dialog.routeSet);
  }

  private cancelLegs(legs: Leg[], reason: string): void {
    for (const leg of legs) {
      if (leg.state === 'ringing') this.sendCancel(leg, reason);
      else if (leg.state === 'calling') leg.cancelWanted = true;
    }
  }

  private sendCancel(leg: Leg, reason?: string): void {
    if (leg.state === 'done' || leg.state === 'answered') return;
    const cancel = buildCancel(leg.invite, reason);
    cancel.via = [{ ...leg.invite.via[0]!, params: new Map(leg.invite.via[0]!.params) }];
    try {
      this.deps.endpoint.request(cancel, leg.hop, { response() {}, timeout() {} });
    } catch {
      // Unreachable device: its INVITE transaction times out on its own.
    }
  }

  private clearNoAnswer(): void {
    if (this.noAnswer !== undefined) this.deps.timers.clear(this.noAnswer);
    this.noAnswer = undefined;
  }

  private exhausted(): void {
    const statuses = this.lastStageStatuses;
    const busy = statuses.length > 0 && statuses.every((s) => s === 486 || s === 600);
    if (busy) {
      this.refuse(486, undefined, 'busy');
      return;
    }
    const noAnswer = this.attempts.some((a) => a.status === 408);
    this.refuse(
      480,
      noAnswer ? 'No answer' : 'Nobody could take the call',
      noAnswer ? 'no-answer' : 'failed',
    );
  }

  private refuse(status: number, reason: string | undefined, outcome: CallOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.clearNoAnswer();
    this.tx.respond(buildResponse(this.invite, status, { toTag: this.toTag, reason }));
    this.record(outcome, status, null);
  }

  private record(outcome: CallOutcome, finalStatus: number, endedBy: CallDetailRecord['endedBy']): void {
    this.deps.ended(
      {
        callId: this.invite.callId,
        kind: 'inbound',
        caller: formatUri(this.invite.from.uri),
        dialled: this.dialled,
        route: this.routeId,
        answeredBy: this.winner?.personId ?? null,
        answeredAt: this.winner?.target ?? null,
        attempts: this.attempts,
        outcome,
        finalStatus,
        startedAt: new Date(this.startedAt),
        connectedAt: this.connectedAt === null ? null : new Date(this.connectedAt),
        endedAt: new Date(this.deps.clock()),
        endedBy,
        alertId: null,
      },
      this.bridge,
    );
  }
}

/**
 * Hears the 2xx retransmissions of an answered leg once it has our ACK: the same ACK again, nothing else.
 * A class, so that what waits out Timer M is one small object and the ACK's bytes.
 */
class AckAgainOn2xx implements ClientTransactionUser {
  constructor(private readonly ackAgain: Resend) {}

  response(response: SipResponse): void {
    if (response.status >= 200 && response.status < 300) this.ackAgain();
  }

  timeout(): void {}
}
