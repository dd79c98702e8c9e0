import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildResponse } from '../../protocols/sip/build.ts';
import { newTag } from '../../protocols/sip/ids.ts';
import type { SipResponse } from '../../protocols/sip/message.ts';
import { parseMessage } from '../../protocols/sip/parser.ts';
import { TransactionLayer } from '../../protocols/sip/transaction-layer.ts';
import { nodeTimers } from './transport-routing.ts';
import { UdpTransport } from './transport-udp.ts';

function options(branch: string, via = 'SIP/2.0/UDP 10.9.9.9:5999;rport', extra = ''): Buffer {
  return Buffer.from(
    `OPTIONS sip:ward@127.0.0.1 SIP/2.0\r\nVia: ${via};branch=${branch}\r\nMax-Forwards: 70\r\n` +
      `To: <sip:ward@127.0.0.1>\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nCall-ID: ${branch}\r\n` +
      `CSeq: 1 OPTIONS\r\n${extra}Content-Length: 0\r\n\r\n`,
  );
}

describe('UDP transport on 127.0.0.1', () => {
  let transport: UdpTransport;
  let peer: Socket;
  let received: SipResponse[];
  let errors: unknown[];
  const port = () => transport.localAddress.port;

  beforeEach(async () => {
    errors = [];
    const layer = new TransactionLayer({
      timers: nodeTimers,
      onRequest: (req, tx) => tx.respond(buildResponse(req, 200, { toTag: newTag() })),
    });
    transport = new UdpTransport(
      { request: (r, ch) => layer.receiveRequest(r, ch), response: (r) => layer.receiveResponse(r) },
      { host: '127.0.0.1', port: 0, onError: (e) => errors.push(e) },
    );
    await transport.listen();
    received = [];
    peer = createSocket('udp4');
    peer.on('message', (data) => received.push(parseMessage(data) as SipResponse));
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    await transport.close();
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  });

  const send = (data: Buffer) => peer.send(data, port(), '127.0.0.1');
  const waitFor = async (count: number) => {
    for (let i = 0; i < 200 && received.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received.length).toBeGreaterThanOrEqual(count);
  };

  it('answers at the packet source using received and rport (RFC 3581), whatever the Via says', async () => {
    send(options('z9hG4bKudp1'));
    await waitFor(1);
    const via = received[0]!.via[0]!;
    expect(received[0]!.status).toBe(200);
    expect(via.params.get('received')).toBe('127.0.0.1');
    expect(via.params.get('rport')).toBe(String(peer.address().port));
  });

  it('answers a broken request with 400 and keeps serving', async () => {
    send(options('z9hG4bKudp2', 'SIP/2.0/UDP 127.0.0.1', 'Content-Length: 12\r\n'));
    send(Buffer.from('\u0000\u0001 not SIP at all'));
    send(options('z9hG4bKudp3'));
    await waitFor(2);
    expect(received.map((r) => [r.callId, r.status])).toEqual([
      ['z9hG4bKudp2', 400],
      ['z9hG4bKudp3', 200],
    ]);
    expect(received[0]!.reason).toBe('Multiple Content-Length header fields');
    expect(received[0]!.to.params.get('tag')).toBeDefined();
    expect(errors).toEqual([]);
  });

  it('sends client requests and matches their responses', async () => {
    const peerTransportResponses: number[] = [];
    const peerLayer = new TransactionLayer({
      timers: nodeTimers,
      onRequest: (req, tx) => tx.respond(buildResponse(req, 486, { toTag: 't' })),
    });
    const other = new UdpTransport(
      { request: (r, ch) => peerLayer.receiveRequest(r, ch), response: (r) => peerLayer.receiveResponse(r) },
      { host: '127.0.0.1', port: 0 },
    );
    await other.listen();
    try {
      const request = parseMessage(
        options('z9hG4bKudp4', `SIP/2.0/UDP 127.0.0.1:${other.localAddress.port};rport`),
      );
      if (request.kind !== 'request') throw new Error('not a request');
      peerLayer.sendRequest(request, other.channelTo({ address: '127.0.0.1', port: port() }), {
        response: (r) => peerTransportResponses.push(r.status),
        timeout: () => peerTransportResponses.push(408),
      });
      for (let i = 0; i < 200 && peerTransportResponses.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(peerTransportResponses).toEqual([200]);
    } finally {
      await other.close();
    }
  });
});
