/**
 * SIP over TLS at the transport and the edge: a request and its answer over one TLS connection, a peer
 * whose certificate our CA did not sign refused, a plain-TCP talker on the TLS port shrugged off, and
 * sips: targets that are only ever reached over TLS.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { SipEndpoint } from '../../src/listeners/sip/endpoint.ts';
import { nodeTimers } from '../../src/listeners/sip/transport-routing.ts';
import { TcpTransport } from '../../src/listeners/sip/transport-tcp.ts';
import { buildResponse } from '../../src/protocols/sip/build.ts';
import { newTag } from '../../src/protocols/sip/ids.ts';
import type { SipRequest } from '../../src/protocols/sip/message.ts';
import { parseMessage } from '../../src/protocols/sip/parser.ts';
import { TransactionLayer } from '../../src/protocols/sip/transaction-layer.ts';
import { parseUri } from '../../src/protocols/sip/uri.ts';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';

const request = (callId: string) =>
  parseMessage(
    Buffer.from(
      `MESSAGE sip:pager@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bK${callId}\r\n` +
        `To: <sip:pager@127.0.0.1>\r\nFrom: <sip:router@127.0.0.1>;tag=r\r\nCall-ID: ${callId}\r\n` +
        'CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    ),
    { framing: 'stream' },
  ) as SipRequest;

function tlsPeer(certs: TestCerts, ca = certs.ca) {
  const heard: string[] = [];
  const errors: unknown[] = [];
  const layer = new TransactionLayer({
    timers: nodeTimers,
    onRequest: (req, tx) => {
      heard.push(req.body.toString());
      tx.respond(buildResponse(req, 200, { toTag: newTag() }));
    },
  });
  const transport = new TcpTransport(
    { request: (r, ch) => layer.receiveRequest(r, ch), response: (r) => layer.receiveResponse(r) },
    {
      host: '127.0.0.1',
      port: 0,
      onError: (e) => errors.push(e),
      tls: { key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile), ca },
    },
  );
  return { transport, layer, heard, errors };
}

function send(from: ReturnType<typeof tlsPeer>, port: number, callId: string): Promise<string> {
  return new Promise((resolve) => {
    let tx: ReturnType<TransactionLayer['sendRequest']> | undefined;
    const channel = from.transport.channelTo({ address: '127.0.0.1', port }, (err) => {
      tx?.transportError(err);
    });
    tx = from.layer.sendRequest(request(callId), channel, {
      response: (r) => resolve(String(r.status)),
      timeout: () => resolve('timeout'),
      transportError: () => resolve('transport error'),
    });
  });
}

describe('SIP over TLS', () => {
  let certs: TestCerts;
  let strangers: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
    strangers = makeTestCerts();
  });

  it('carries a request and its answer over one verified TLS connection', async () => {
    const server = tlsPeer(certs);
    const caller = tlsPeer(certs);
    await server.transport.listen();
    await caller.transport.listen();
    try {
      expect(server.transport.localAddress.transport).toBe('TLS');
      expect(await send(caller, server.transport.localAddress.port, 'tls-1')).toBe('200');
      expect(server.heard).toEqual(['hello']);
      expect(caller.transport.connectionCount).toBe(1);
    } finally {
      await caller.transport.close();
      await server.transport.close();
    }
  });

  it('refuses a server whose certificate our CA did not sign, and keeps serving after a plain-TCP talker', async () => {
    const impostor = tlsPeer(strangers);
    const caller = tlsPeer(certs);
    await impostor.transport.listen();
    await caller.transport.listen();
    try {
      expect(await send(caller, impostor.transport.localAddress.port, 'tls-2')).toBe('transport error');
      expect(impostor.heard).toEqual([]);

      // Someone speaks plain SIP at the TLS port: the handshake fails, the listener stays up.
      const plain = connect({ host: '127.0.0.1', port: caller.transport.localAddress.port });
      plain.on('error', () => {});
      plain.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n\r\n');
      await new Promise((r) => plain.once('close', r));
      const server = tlsPeer(strangers, strangers.ca);
      await server.transport.listen();
      const friend = tlsPeer(strangers, strangers.ca);
      await friend.transport.listen();
      expect(await send(friend, server.transport.localAddress.port, 'tls-3')).toBe('200');
      await friend.transport.close();
      await server.transport.close();
    } finally {
      await caller.transport.close();
      await impostor.transport.close();
    }
  });

  it('reaches sips: and transport=tls targets over TLS only, on 5061 unless a port is named', async () => {
    const edge = (tls: boolean) =>
      new SipEndpoint({
        host: '127.0.0.1',
        port: 0,
        udp: true,
        tcp: true,
        tls: tls
          ? { port: 0, key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) }
          : undefined,
        t1Ms: 500,
        timers: nodeTimers,
        onRequest: () => {},
      });
    const secure = edge(true);
    const plain = edge(false);
    await secure.start();
    await plain.start();
    try {
      expect(secure.transports).toEqual(['UDP', 'TCP', 'TLS']);
      expect(secure.nextHop(parseUri('sips:dr.one@phones.example'))).toEqual({
        transport: 'TLS',
        address: 'phones.example',
        port: 5061,
      });
      expect(secure.nextHop(parseUri('sip:dr.one@10.0.0.9:5071;transport=tls'))).toMatchObject({
        transport: 'TLS',
        port: 5071,
      });
      expect(secure.nextHop(parseUri('sip:dr.one@10.0.0.9'))).toMatchObject({ transport: 'UDP', port: 5060 });
      expect(secure.contact('TLS').uri).toMatchObject({ scheme: 'sips', port: secure.securePort });
      expect(secure.via('TLS')).toMatchObject({ transport: 'TLS', port: secure.securePort });
      // Never a silent downgrade: without TLS a sips: target cannot be reached at all.
      expect(() => plain.nextHop(parseUri('sips:dr.one@phones.example'))).toThrow(/over TLS/);
    } finally {
      await secure.close();
      await plain.close();
    }
  });
});
