/**
 * The gateway on a network edge made of a real transaction layer and a fake wire, with fake timers: what
 * the caller is sent, and what the gateway still counts as a call, at each step of a call.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../test/support/fake-timers.ts';
import type { SipMessage, SipRequest, SipResponse } from '../protocols/sip/message.ts';
import { parseMessage } from '../protocols/sip/parser.ts';
import { serializeMessage } from '../protocols/sip/serializer.ts';
import { TransactionLayer } from '../protocols/sip/transaction-layer.ts';
import { sipUri } from '../protocols/sip/uri.ts';
import type { CallRoute, CallRoutingPort } from '../routing/call-port.ts';
import type { SipStore } from '../store/sip-port.ts';
import { SipGateway } from './gateway.ts';
import type { SipConfig, SipListenerConfig } from './sip-config.ts';
import type { SipNetwork } from './sip-network.ts';

const HOST = '127.0.0.1';
const CALLER = { transport: 'UDP' as const, address: '127.0.0.2', port: 5062 };

const listener: SipListenerConfig = {
  enabled: true,
  host: HOST,
  port: 5060,
  udp: true,
  tcp: false,
  tls: { enabled: false, port: 0, requireClientCert: false, verifyServers: true },
  realm: 'bench.example',
  digestAlgorithms: ['SHA-256'],
  t1Ms: 500,
  minExpiresSeconds: 60,
  maxExpiresSeconds: 3600,
};

const sip: SipConfig = {
  hospitalNumber: '6175550100',
  hospitalName: 'General',
  noAnswerSeconds: 20,
  trustedAddresses: [CALLER.address],
  accounts: [],
  dialPlan: [],
};

const store: SipStore = {
  saveBindings: async () => {},
  liveBindings: async () => [],
  recordCall: async () => 1,
  listCalls: async () => [],
};

function invite(branch: string, callId: string): SipRequest {
  const text = [
    `INVITE sip:4100@${HOST}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=z9hG4bK${branch}`,
    `From: <sip:clerk@${CALLER.address}>;tag=c1`,
    `To: <sip:4100@${HOST}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:clerk@${CALLER.address}:${CALLER.port}>`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

/** The gateway with the caller's and the phones' sides of the wire recorded. */
function gatewayOn(route: (dialled: string) => CallRoute | undefined) {
  const timers = new FakeTimers();
  const toCaller: SipResponse[] = [];
  const toPhones: SipMessage[] = [];
  const steps: string[] = [];
  // Messages cross the fake wire as bytes, as they would over UDP.
  const wire = <M extends SipMessage>(m: SipMessage) => parseMessage(serializeMessage(m)) as M;
  let gateway: SipGateway;
  const layer = new TransactionLayer({
    timers,
    onRequest: (request, tx) => gateway.receive(request, tx, CALLER),
  });
  const network: SipNetwork = {
    layer,
    port: 5060,
    transports: ['UDP'],
    start: async () => ({ host: HOST, port: 5060 }),
    close: async () => {},
    via: (transport) => ({ transport, host: HOST, port: 5060 }),
    contact: (_t, user = 'switchboard') => ({
      uri: sipUri({ user, host: HOST, port: 5060 }),
      params: new Map(),
    }),
    uri: (user) => sipUri({ user, host: HOST, port: 5060 }),
    nextHop: (target) => ({
      transport: 'UDP',
      address: target.kind === 'sip' ? target.host : '',
      port: (target.kind === 'sip' && target.port) || 5060,
    }),
    request: (request, _hop, user) =>
      layer.sendRequest(request, { reliable: false, send: (m) => toPhones.push(wire(m)) }, user),
    sendAck: (ack) => toPhones.push(wire(ack)),
  };
  const calls: CallRoutingPort = {
    route: async (dialled) => {
      steps.push(`route ${dialled} (caller has ${toCaller.map((r) => r.status).join(',') || 'nothing'})`);
      return route(dialled);
    },
  };
  gateway = new SipGateway({
    listener,
    sip,
    store,
    network,
    messages: { handle: () => {} },
    calls,
    staticDevices: () => [sipUri({ user: 'one', host: '127.0.0.3', port: 5070 })],
    log: pino({ level: 'silent' }),
    timers,
  });
  const callerChannel = { reliable: false, send: (m: SipMessage) => toCaller.push(wire(m)) };
  return {
    gateway,
    timers,
    toCaller,
    toPhones,
    steps,
    call: (request: SipRequest) => layer.receiveRequest(request, callerChannel),
    answer: (response: SipResponse) => layer.receiveResponse(response),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('SipGateway', () => {
  it('sends 100 Trying before it asks routing who answers the number', async () => {
    const g = gatewayOn(() => undefined);
    g.call(invite('a1', 'call-1'));
    await settle();
    expect(g.steps).toEqual(['route 4100 (caller has 100)']);
    expect(g.toCaller.map((r) => r.status)).toEqual([100, 404]);
  });

  it('no longer counts a refused call as active once the caller has its answer', async () => {
    const g = gatewayOn(() => undefined);
    g.call(invite('a2', 'call-2'));
    expect(g.gateway.health().activeCalls).toBe(1);
    await settle();
    expect(g.toCaller.map((r) => r.status)).toEqual([100, 404]);
    // The INVITE transaction waits out Timer H for the ACK; the call itself is over.
    expect(g.gateway.health().activeCalls).toBe(0);
  });

  it('counts an answered call once while it is connected', async () => {
    const g = gatewayOn(() => ({
      kind: 'people',
      id: 'hospitalist',
      stages: [[{ personId: 'p-one', reason: 'on call' }]],
      noAnswerMs: 20_000,
      notes: [],
    }));
    g.call(invite('a3', 'call-3'));
    await settle();
    const out = g.toPhones.find((m): m is SipRequest => m.kind === 'request' && m.method === 'INVITE');
    expect(out).toBeDefined();
    const ok = parseMessage(
      serializeMessage({
        kind: 'response',
        status: 200,
        reason: 'OK',
        via: out!.via,
        from: out!.from,
        to: { ...out!.to, params: new Map([['tag', 'phone1']]) },
        callId: out!.callId,
        cseq: out!.cseq,
        contact: [{ uri: sipUri({ user: 'one', host: '127.0.0.3', port: 5070 }), params: new Map() }],
        route: [],
        recordRoute: [],
        headers: [],
        body: Buffer.alloc(0),
      }),
    ) as SipResponse;
    g.answer(ok);
    expect(g.toCaller.map((r) => r.status)).toEqual([100, 200]);
    expect(g.gateway.health().activeCalls).toBe(1);
  });
});
