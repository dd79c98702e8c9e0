/**
 * The gateway on a network edge made of a real transaction layer and a fake wire, with fake timers: what
 * the caller is sent, and what the gateway still counts as a call, at each step of a call.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeTimers } from '../../test/support/fake-timers.ts';
import { collected } from '../../test/support/reachability.ts';
import { buildResponse } from '../protocols/sip/build.ts';
import type { SipMessage, SipRequest, SipResponse } from '../protocols/sip/message.ts';
import { parseMessage } from '../protocols/sip/parser.ts';
import { serializeMessage } from '../protocols/sip/serializer.ts';
import type { TransactionChannel } from '../protocols/sip/transaction.ts';
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

/** A UDP-like channel whose messages cross the fake wire as bytes into `received`, as they would over UDP. */
function sendsTo<M extends SipMessage>(received: M[]): TransactionChannel {
  return {
    reliable: false,
    send: (message) => {
      const bytes = serializeMessage(message);
      const send = () => {
        received.push(parseMessage(bytes) as M);
      };
      send();
      return send;
    },
  };
}

/** The gateway with the caller's and the phones' sides of the wire recorded. */
function gatewayOn(route: (dialled: string) => CallRoute | undefined) {
  const timers = new FakeTimers();
  const toCaller: SipResponse[] = [];
  const toPhones: SipMessage[] = [];
  const steps: string[] = [];
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
    request: (request, _hop, user) => layer.sendRequest(request, sendsTo(toPhones), user),
    sendAck: (ack) => sendsTo(toPhones).send(ack),
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
  const callerChannel = sendsTo(toCaller);
  return {
    gateway,
    timers,
    toCaller,
    toPhones,
    steps,
    layer,
    call: (request: SipRequest) => layer.receiveRequest(request, callerChannel),
    answer: (response: SipResponse) => layer.receiveResponse(response),
  };
}

const hospitalist = (): CallRoute => ({
  kind: 'people',
  id: 'hospitalist',
  stages: [[{ personId: 'p-one', reason: 'on call' }]],
  noAnswerMs: 20_000,
  notes: [],
});

/** The phone's answer to a request the gateway sent it, crossing the wire as bytes. */
function phoneAnswers(request: SipRequest, status: number): SipResponse {
  const response = buildResponse(request, status, { toTag: 'phone1' });
  if (request.method === 'INVITE')
    response.contact = [{ uri: sipUri({ user: 'one', host: '127.0.0.3', port: 5070 }), params: new Map() }];
  return parseMessage(serializeMessage(response)) as SipResponse;
}

/** A request from the caller inside the dialog the gateway's 200 created. */
function inCallerDialog(method: 'ACK' | 'BYE', ok: SipResponse, branch: string): SipRequest {
  const text = [
    `${method} sip:switchboard@${HOST}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=z9hG4bK${branch}`,
    `From: <sip:clerk@${CALLER.address}>;tag=c1`,
    `To: <sip:4100@${HOST}>;tag=${ok.to.params.get('tag')}`,
    `Call-ID: ${ok.callId}`,
    `CSeq: ${method === 'ACK' ? '1 ACK' : '2 BYE'}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

const lastTo = <M extends SipMessage>(sent: SipMessage[], test: (m: SipMessage) => m is M): M => {
  const found = sent.filter(test).at(-1);
  expect(found).toBeDefined();
  return found!;
};
const isRequest =
  (method: string) =>
  (m: SipMessage): m is SipRequest =>
    m.kind === 'request' && m.method === method;

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

  it('keeps nothing of a finished call while its transactions wait out Timers J, L and M', async () => {
    const g = gatewayOn(hospitalist);
    // Only a WeakRef to the caller's INVITE: the call holds it while it lasts, so it lives exactly as long.
    const callersInvite = new WeakRef(
      (() => {
        const request = invite('a4', 'call-4');
        g.call(request);
        return request;
      })(),
    );
    await settle();
    g.answer(phoneAnswers(lastTo(g.toPhones, isRequest('INVITE')), 200));
    const ok = lastTo(g.toCaller, (m): m is SipResponse => m.kind === 'response' && m.status === 200);
    g.call(inCallerDialog('ACK', ok, 'ack4'));
    expect(g.toPhones.filter(isRequest('ACK'))).toHaveLength(1);
    // Connected: the call is alive, and this test can tell.
    expect(await collected(callersInvite)).toBe(false);

    g.call(inCallerDialog('BYE', ok, 'bye4'));
    g.answer(phoneAnswers(lastTo(g.toPhones, isRequest('BYE')), 200));
    expect(g.toCaller.map((r) => r.status)).toEqual([100, 200, 200]);
    expect(g.gateway.health().activeCalls).toBe(0);
    // The caller's INVITE (Timer L) and BYE (Timer J), the phone's INVITE (Timer M) and BYE (Timer K) wait.
    expect(g.layer.size).toEqual({ clients: 2, servers: 2 });
    expect(await collected(callersInvite)).toBe(true);

    // What they kept still answers retransmissions: the phone's 2xx gets our ACK again, the caller's BYE its 200.
    g.answer(phoneAnswers(lastTo(g.toPhones, isRequest('INVITE')), 200));
    expect(g.toPhones.filter(isRequest('ACK'))).toHaveLength(2);
    g.call(inCallerDialog('BYE', ok, 'bye4'));
    expect(g.toCaller.map((r) => r.status)).toEqual([100, 200, 200, 200]);
    g.timers.advance(32_000);
    expect(g.layer.size).toEqual({ clients: 0, servers: 0 });
  });
});
