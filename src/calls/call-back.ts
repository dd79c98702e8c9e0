/**
 * "Call back" from an alert: Switchboard rings the clinician's phone, and when they answer, rings the
 * bed station through the nurse-call SIP server and joins the two. Third-party call control, RFC 3725
 * flow I: the first INVITE carries no offer, so the clinician's phone makes one in its 200; that offer
 * goes to the bed station, whose answer goes back to the phone in the ACK.
 *
 *   gateway ── INVITE (no SDP) ─────────> clinician phone
 *           <── 200 (offer) ────────────
 *           ── INVITE (offer) ──────────> bed station (via nurse-call server)
 *           <── 200 (answer) ───────────
 *           ── ACK ─────────────────────> bed station
 *           ── ACK (answer) ────────────> clinician phone        then a Bridge, as for any call
 */
import type { NameAddr } from '../protocols/sip/address.ts';
import { buildRequest } from '../protocols/sip/build.ts';
import {
  buildAckFor2xx,
  buildInDialogRequest,
  createUacDialog,
  type Dialog,
} from '../protocols/sip/dialog.ts';
import type { NextHop } from '../protocols/sip/hop.ts';
import type { SipRequest, SipResponse } from '../protocols/sip/message.ts';
import { formatUri, type Uri } from '../protocols/sip/uri.ts';
import type { CallDetailRecord, CallOutcome } from '../store/sip-port.ts';
import { Bridge, bodyOf } from './bridge.ts';
import type { SipNetwork } from './sip-network.ts';

export interface CallBackDeps {
  endpoint: SipNetwork;
  clock: () => number;
  identity: () => NameAddr;
  devicesOf(personId: string): Uri[];
  /** The bed station's address for a station number (through the nurse-call server). */
  stationUri(station: string): Uri;
  bridged(bridge: Bridge): void;
  ended(cdr: CallDetailRecord, bridge: Bridge | undefined): void;
}

export class CallBackRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Leg {
  invite: SipRequest;
  hop: NextHop;
  dialog?: Dialog;
  ack?: SipRequest;
}

/** Starts a call-back; resolves with the Call-ID once the clinician's phone is being rung. */
export function startCallBack(
  deps: CallBackDeps,
  request: { personId: string; station: string; alertId: number },
): string {
  const device = deps.devicesOf(request.personId)[0];
  if (!device) throw new CallBackRefused(409, 'the clinician has no registered phone');
  const { endpoint } = deps;
  const startedAt = deps.clock();
  const attempts: CallDetailRecord['attempts'] = [];
  let connectedAt: number | null = null;
  let bridge: Bridge | undefined;

  const leg = (uri: Uri, from: NameAddr, source?: SipResponse): Leg => {
    const hop = endpoint.nextHop(uri);
    const invite = buildRequest({
      method: 'INVITE',
      uri,
      from,
      to: { uri, params: new Map() },
      via: endpoint.via(hop.transport),
      contact: endpoint.contact(hop.transport),
      headers: [{ name: 'P-Asserted-Identity', value: `<${formatUri(deps.identity().uri)}>` }],
      ...(source ? bodyOf(source) : {}),
    });
    return { invite, hop };
  };
  const ackFor = (l: Leg, body?: SipResponse) => {
    const hop = endpoint.nextHop(l.dialog!.remoteTarget, l.dialog!.routeSet);
    l.ack = buildAckFor2xx(l.dialog!, l.invite, {
      via: endpoint.via(hop.transport),
      ...(body ? bodyOf(body) : {}),
    });
    endpoint.sendAck(l.ack, hop);
  };
  const bye = (l: Leg) => {
    const hop = endpoint.nextHop(l.dialog!.remoteTarget, l.dialog!.routeSet);
    endpoint.request(buildInDialogRequest(l.dialog!, 'BYE', { via: endpoint.via(hop.transport) }), hop, {
      response() {},
      timeout() {},
    });
  };

  const clinician = leg(device, {
    displayName: `Call back ${request.station}`,
    uri: endpoint.uri(request.station),
    params: new Map(),
  });
  let finished = false;
  const record = (outcome: CallOutcome, finalStatus: number, endedBy: CallDetailRecord['endedBy']) => {
    if (finished) return;
    finished = true;
    deps.ended(
      {
        callId: clinician.invite.callId,
        kind: 'call-back',
        caller: `person:${request.personId}`,
        dialled: request.station,
        route: null,
        answeredBy: connectedAt === null ? null : request.personId,
        answeredAt: connectedAt === null ? null : formatUri(device),
        attempts,
        outcome,
        finalStatus,
        startedAt: new Date(startedAt),
        connectedAt: connectedAt === null ? null : new Date(connectedAt),
        endedAt: new Date(deps.clock()),
        endedBy,
        alertId: request.alertId,
      },
      bridge,
    );
  };

  const ringStation = (offer: SipResponse) => {
    const station = leg(deps.stationUri(request.station), deps.identity(), offer);
    endpoint.request(station.invite, station.hop, {
      response: (r) => {
        if (r.status < 200) return;
        if (r.status >= 300) {
          attempts.push({
            personId: null,
            target: formatUri(station.invite.uri),
            status: r.status,
            reason: r.reason,
          });
          ackFor(clinician);
          bye(clinician);
          record(r.status === 486 ? 'busy' : 'failed', r.status, null);
          return;
        }
        if (station.dialog) {
          if (station.ack) endpoint.sendAck(station.ack, station.hop);
          return;
        }
        station.dialog = createUacDialog(station.invite, r);
        attempts.push({
          personId: null,
          target: formatUri(station.invite.uri),
          status: 200,
          reason: 'answered',
        });
        ackFor(station);
        ackFor(clinician, r);
        connectedAt = deps.clock();
        bridge = new Bridge(
          {
            label: 'caller',
            dialog: clinician.dialog!,
            transport: clinician.hop.transport,
            personId: request.personId,
          },
          { label: 'callee', dialog: station.dialog, transport: station.hop.transport, personId: null },
          endpoint,
          (by) => record('answered', 200, by),
        );
        deps.bridged(bridge);
      },
      timeout: () => {
        ackFor(clinician);
        bye(clinician);
        record('no-answer', 408, null);
      },
    });
  };

  endpoint.request(clinician.invite, clinician.hop, {
    response: (r) => {
      if (r.status < 200) return;
      if (r.status >= 300) {
        attempts.push({
          personId: request.personId,
          target: formatUri(device),
          status: r.status,
          reason: r.reason,
        });
        record(r.status === 486 ? 'busy' : 'no-answer', r.status, null);
        return;
      }
      if (clinician.dialog) {
        // A retransmitted 200: ACK again once we have the station's answer to put in it.
        if (clinician.ack) endpoint.sendAck(clinician.ack, clinician.hop);
        return;
      }
      clinician.dialog = createUacDialog(clinician.invite, r);
      attempts.push({
        personId: request.personId,
        target: formatUri(device),
        status: 200,
        reason: 'answered',
      });
      if (r.body.length === 0) {
        // No offer to carry across (RFC 3725 section 4 needs one): give up cleanly.
        ackFor(clinician);
        bye(clinician);
        record('failed', 488, null);
        return;
      }
      ringStation(r);
    },
    timeout: () => record('no-answer', 408, null),
    transportError: () => record('failed', 503, null),
  });
  return clinician.invite.callId;
}
