/**
 * The SIP gateway: what Switchboard does with SIP. It sits on the network edge (listeners/sip: UDP + TCP,
 * transactions), which the wiring hands it, and answers each request the edge receives with the part
 * that serves it: REGISTER to the registration desk, INVITE to a new call (B2BUA), requests inside a
 * dialog to the bridge that owns it, CANCEL to the call it cancels, MESSAGE to the intake (alerts),
 * OPTIONS answered here. It also keeps the trunk to the PBX alive.
 */
import type { Logger } from 'pino';
import { checkRequest, type UasCapabilities } from '../protocols/sip/admission.ts';
import { buildRequest, buildResponse } from '../protocols/sip/build.ts';
import { dialogKey, dialogKeyOfRequest } from '../protocols/sip/dialog.ts';
import { DigestClient, DigestServer } from '../protocols/sip/digest.ts';
import type { RequestSource } from '../protocols/sip/hop.ts';
import { newTag } from '../protocols/sip/ids.ts';
import type { SipRequest } from '../protocols/sip/message.ts';
import type { ServerInviteTransaction } from '../protocols/sip/server-invite-transaction.ts';
import type { TimerHandle, Timers } from '../protocols/sip/timers.ts';
import type { ServerTransaction } from '../protocols/sip/transaction-layer.ts';
import { sipUri, type Uri, unescapeUriPart } from '../protocols/sip/uri.ts';
import type { CallRoutingPort } from '../routing/call-port.ts';
import type { CallDetailRecord, SipStore } from '../store/sip-port.ts';
import type { Bridge, BridgeSide } from './bridge.ts';
import { CallBackRefused, startCallBack } from './call-back.ts';
import { InboundCall } from './inbound-call.ts';
import { RegistrationDesk } from './registration-desk.ts';
import type { SipConfig, SipListenerConfig } from './sip-config.ts';
import type { SipNetwork, SipRequestHandler } from './sip-network.ts';

/** How long finished calls' records wait to be written together. */
const CDR_FLUSH_MS = 250;

const ALLOWED = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'MESSAGE', 'INFO', 'UPDATE'];
const CAPABILITIES: UasCapabilities = {
  allowedMethods: ALLOWED,
  acceptedBodyTypes: [
    'application/sdp',
    'text/plain',
    'application/json',
    'application/xml',
    'message/cpim',
    'application/dtmf-relay',
  ],
};

export interface SipGatewayDeps {
  listener: SipListenerConfig;
  sip: SipConfig;
  store: SipStore;
  /** The network edge the gateway answers on; its requests come in through `receive()`. */
  network: SipNetwork;
  /** SIP MESSAGE, once authorised: stored and handed to routing by the edge's intake. */
  messages: SipRequestHandler;
  calls: CallRoutingPort;
  /** Fixed SIP addresses of a person from the directory (desk phones), rung besides registered devices. */
  staticDevices(personId: string): Uri[];
  log: Logger;
  timers: Timers;
  clock?: () => number;
}

export interface SipHealth {
  state: 'listening' | 'stopped' | 'starting';
  port: number;
  /** SIP over TLS, when it is on. */
  tlsPort?: number;
  transports: string[];
  registrations: number;
  activeCalls: number;
  callsSinceStart: number;
  trunk?: 'up' | 'down' | 'unknown';
}

export class SipGateway {
  readonly endpoint: SipNetwork;
  readonly desk: RegistrationDesk;
  private readonly digest: DigestServer;
  private readonly intake: SipRequestHandler;
  private readonly timers: Timers;
  private readonly clock: () => number;
  private readonly trusted: Set<string>;
  private readonly trunkDigest: DigestClient | undefined;
  private readonly setups = new Map<ServerInviteTransaction, InboundCall>();
  private readonly dialogs = new Map<string, { bridge: Bridge; side: BridgeSide }>();
  private state: SipHealth['state'] = 'starting';
  private callsSinceStart = 0;
  private trunkState: 'up' | 'down' | 'unknown' = 'unknown';
  private keepAlive: TimerHandle | undefined;
  private readonly pendingRecords = new Set<Promise<unknown>>();
  private readonly cdrBatch: CallDetailRecord[] = [];
  private cdrTimer: TimerHandle | undefined;

  constructor(private readonly deps: SipGatewayDeps) {
    this.timers = deps.timers;
    this.clock = deps.clock ?? Date.now;
    const { listener, sip } = deps;
    this.digest = new DigestServer({
      realm: listener.realm,
      clock: this.clock,
      algorithms: [...listener.digestAlgorithms],
    });
    this.desk = new RegistrationDesk({
      realm: listener.realm,
      accounts: sip.accounts,
      digest: this.digest,
      store: deps.store,
      clock: this.clock,
      minExpires: listener.minExpiresSeconds,
      maxExpires: listener.maxExpiresSeconds,
      onError: (err) => deps.log.error({ err }, 'SIP registration could not be stored'),
      onFlow: (contact, source) => deps.network.rememberFlow?.(contact, source),
    });
    this.intake = deps.messages;
    this.trusted = new Set([...sip.trustedAddresses]);
    if (sip.trunk) this.trusted.add(sip.trunk.host);
    if (sip.nurseCall) this.trusted.add(sip.nurseCall.host);
    if (sip.trunk?.username && sip.trunk.password)
      this.trunkDigest = new DigestClient({ username: sip.trunk.username, password: sip.trunk.password });
    this.endpoint = deps.network;
  }

  async start(): Promise<{ host: string; port: number; tlsPort?: number }> {
    const restored = await this.desk.restore();
    const bound = await this.endpoint.start();
    this.state = 'listening';
    this.deps.log.info({ ...bound, restoredRegistrations: restored }, 'SIP ready');
    if (this.deps.sip.trunk?.keepAliveSeconds) this.pingTrunk();
    return bound;
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.keepAlive !== undefined) this.timers.clear(this.keepAlive);
    for (const { bridge } of [...this.dialogs.values()]) bridge.hangUp();
    this.flushCalls();
    await Promise.allSettled([...this.pendingRecords]);
    await this.endpoint.close();
  }

  health(): SipHealth {
    const h: SipHealth = {
      state: this.state,
      port: this.endpoint.port,
      transports: this.endpoint.transports,
      registrations: this.desk.count(),
      activeCalls: this.dialogs.size / 2 + this.setups.size,
      callsSinceStart: this.callsSinceStart,
    };
    if (this.endpoint.securePort !== undefined) h.tlsPort = this.endpoint.securePort;
    if (this.deps.sip.trunk) h.trunk = this.trunkState;
    return h;
  }

  /** Where to ring a person: registered phones first, then fixed SIP addresses from the directory. */
  devicesOf = (personId: string): Uri[] => [
    ...this.desk.devicesOf(personId),
    ...this.deps.staticDevices(personId),
  ];

  /** The identity every callee sees (number masking). */
  identity = () => ({
    displayName: this.deps.sip.hospitalName,
    uri: this.endpoint.uri(this.deps.sip.hospitalNumber),
    params: new Map<string, string | null>(),
  });

  /**
   * Rings the clinician's registered phone, then the bed station through the nurse-call server, and joins
   * them (third-party call control). Returns the Call-ID; throws CallBackRefused when it cannot start.
   */
  callBack(personId: string, station: string, alertId: number): string {
    const nurseCall = this.deps.sip.nurseCall;
    if (!nurseCall) throw new CallBackRefused(409, 'no nurse-call server is configured (sip.nurseCall)');
    return startCallBack(
      {
        endpoint: this.endpoint,
        clock: this.clock,
        identity: this.identity,
        devicesOf: this.devicesOf,
        stationUri: (number) => {
          const uri = sipUri({ user: number, host: nurseCall.host, port: nurseCall.port });
          if (nurseCall.transport !== 'udp') uri.params.set('transport', nurseCall.transport);
          return uri;
        },
        bridged: (bridge) => this.adopt(bridge),
        ended: (cdr, bridge) => {
          if (bridge) this.forget(bridge);
          this.recordCall(cdr);
        },
      },
      { personId, station, alertId },
    );
  }

  /**
   * Keeps a finished call's record. Records are written in batches every CDR_FLUSH_MS: the store's
   * group commit then puts a batch in one transaction (one fsync) instead of one per call, which at
   * hundreds of calls per second kept the event loop waiting on the disk. A record is a log of what
   * happened, not an acknowledged message: at worst the last CDR_FLUSH_MS of records die with a kill -9.
   * `stop()` writes what is pending.
   */
  recordCall(cdr: CallDetailRecord): void {
    this.cdrBatch.push(cdr);
    if (this.cdrTimer === undefined) this.cdrTimer = this.timers.set(CDR_FLUSH_MS, () => this.flushCalls());
  }

  private flushCalls(): void {
    if (this.cdrTimer !== undefined) this.timers.clear(this.cdrTimer);
    this.cdrTimer = undefined;
    for (const cdr of this.cdrBatch.splice(0)) {
      const p = this.deps.store
        .recordCall(cdr)
        .catch((err) => this.deps.log.error({ err }, 'call detail record could not be stored'))
        .finally(() => this.pendingRecords.delete(p));
      this.pendingRecords.add(p);
    }
  }

  /** Registers a connected call's two dialogs, so in-dialog requests find it. */
  adopt(bridge: Bridge): void {
    const keys = [bridge.caller, bridge.callee].map((side) => {
      const d = side.dialog;
      const key = dialogKey(d.callId, d.localTag, d.remoteTag);
      this.dialogs.set(key, { bridge, side });
      return key;
    });
    const release = () => {
      for (const k of keys) this.dialogs.delete(k);
    };
    this.released.set(bridge, release);
  }

  private readonly released = new WeakMap<Bridge, () => void>();

  /** Called when a bridge ends (from its onEnd): its dialogs no longer take requests. */
  forget(bridge: Bridge): void {
    this.released.get(bridge)?.();
  }

  /** A request the edge received, with its server transaction: answered by the part that serves it. */
  receive(request: SipRequest, tx: ServerTransaction, source: RequestSource): void {
    if (request.to.params.has('tag') && request.method !== 'CANCEL') {
      const found = this.dialogs.get(dialogKeyOfRequest(request) ?? '');
      if (found) found.bridge.handle(found.side, request, tx);
      else tx.respond(buildResponse(request, 481));
      return;
    }
    const rejection = checkRequest(request, CAPABILITIES);
    if (rejection) {
      tx.respond(
        buildResponse(request, rejection.status, {
          reason: rejection.reason,
          headers: rejection.headers,
          toTag: newTag(),
        }),
      );
      return;
    }
    switch (request.method) {
      case 'REGISTER':
        this.desk.handle(request, tx, source);
        return;
      case 'OPTIONS':
        tx.respond(
          buildResponse(request, 200, {
            toTag: newTag(),
            headers: [
              { name: 'Allow', value: ALLOWED.join(', ') },
              { name: 'Accept', value: 'application/sdp, text/plain' },
            ],
          }),
        );
        return;
      case 'CANCEL':
        this.cancel(request, tx);
        return;
      case 'INVITE':
        if (!this.authorised(request, tx, source)) return;
        this.invite(request, tx as ServerInviteTransaction, source);
        return;
      case 'MESSAGE':
        if (!this.authorised(request, tx, source)) return;
        this.intake.handle(request, tx, source);
        return;
      default:
        // BYE, INFO, UPDATE outside any dialog.
        tx.respond(buildResponse(request, 481, { toTag: newTag() }));
    }
  }

  /** Trusted peers (trunk, nurse call, configured addresses) pass; anyone else proves a SIP account (401). */
  private authorised(request: SipRequest, tx: ServerTransaction, source: RequestSource): boolean {
    if (this.trusted.has(source.address)) return true;
    const verdict = this.digest.verify(request, this.desk.passwordOf);
    if (verdict.ok) return true;
    const challenge = this.digest.challenge(!verdict.ok && verdict.why === 'stale');
    tx.respond(buildResponse(request, challenge.status, { toTag: newTag(), headers: challenge.headers }));
    return false;
  }

  private cancel(request: SipRequest, tx: ServerTransaction): void {
    const invite = this.endpoint.layer.findInviteForCancel(request);
    const call = invite ? this.setups.get(invite) : undefined;
    if (!invite) {
      tx.respond(buildResponse(request, 481, { toTag: newTag() }));
      return;
    }
    tx.respond(buildResponse(request, 200, { toTag: newTag() }));
    call?.cancel();
  }

  private invite(request: SipRequest, tx: ServerInviteTransaction, source: RequestSource): void {
    if (request.maxForwards === 0) {
      tx.respond(buildResponse(request, 483, { toTag: newTag() }));
      return;
    }
    this.callsSinceStart++;
    const dialled =
      request.uri.kind === 'sip'
        ? unescapeUriPart(request.uri.user ?? '')
        : request.uri.kind === 'tel'
          ? request.uri.number
          : '';
    const trunk = this.deps.sip.trunk;
    const call = new InboundCall(
      request,
      tx,
      source,
      {
        endpoint: this.endpoint,
        timers: this.timers,
        clock: this.clock,
        identity: this.identity,
        devicesOf: this.devicesOf,
        trunk: trunk
          ? {
              uriFor: (number) => {
                const uri = sipUri({ user: number, host: trunk.host, port: trunk.port });
                if (trunk.transport !== 'udp') uri.params.set('transport', trunk.transport);
                return uri;
              },
              digest: this.trunkDigest,
            }
          : undefined,
        bridged: (bridge) => this.adopt(bridge),
        ended: (cdr, bridge) => {
          if (bridge) this.forget(bridge);
          this.recordCall(cdr);
        },
      },
      dialled,
    );
    this.setups.set(tx, call);
    this.forgetSetupWhenAnswered(tx);
    this.deps.calls.route(dialled, new Date(this.clock())).then(
      (route) => {
        try {
          call.start(route);
        } catch (err) {
          this.deps.log.error({ err }, 'call setup failed');
        }
      },
      (err) => {
        this.deps.log.error({ err }, 'call routing failed');
        call.start(undefined, 'routing failed');
      },
    );
  }

  /**
   * A call is being set up until the caller has its final answer; only then can a CANCEL reach it
   * (RFC 3261 section 9.2). The transaction lingers 64*T1 after that answer (Timer L or H): holding the
   * call until then would count an answered call twice in health (here and in its bridge's dialogs), and
   * keep it in memory. A method of its own, so that the listener holds the transaction and not the call.
   */
  private forgetSetupWhenAnswered(tx: ServerInviteTransaction): void {
    tx.onStateChange((state) => {
      if (state !== 'proceeding') this.setups.delete(tx);
    });
  }

  // OPTIONS keep-alive to the trunk (common PBX practice): up on any answer, down when none comes.
  private pingTrunk(): void {
    const trunk = this.deps.sip.trunk!;
    const uri = sipUri({ host: trunk.host, port: trunk.port });
    if (trunk.transport !== 'udp') uri.params.set('transport', trunk.transport);
    const hop = this.endpoint.nextHop(uri);
    const me = this.endpoint.uri('switchboard');
    const options = buildRequest({
      method: 'OPTIONS',
      uri,
      from: { uri: me, params: new Map() },
      to: { uri, params: new Map() },
      via: this.endpoint.via(hop.transport),
      contact: this.endpoint.contact(hop.transport),
    });
    try {
      this.endpoint.request(options, hop, {
        response: (r) => {
          if (r.status >= 200) this.trunkState = 'up';
        },
        timeout: () => {
          this.trunkState = 'down';
        },
        transportError: () => {
          this.trunkState = 'down';
        },
      });
    } catch {
      this.trunkState = 'down';
    }
    this.keepAlive = this.timers.set(trunk.keepAliveSeconds * 1000, () => this.pingTrunk());
  }
}
