import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildResponse } from '../../protocols/sip/build.ts';
import { newTag } from '../../protocols/sip/ids.ts';
import type { SipRequest } from '../../protocols/sip/message.ts';
import { parseMessage } from '../../protocols/sip/parser.ts';
import { SipStreamFramer } from '../../protocols/sip/stream-framer.ts';
import { TransactionLayer } from '../../protocols/sip/transaction-layer.ts';
import { nodeTimers } from './transport-routing.ts';
import { TcpTransport } from './transport-tcp.ts';

function message(callId: string, body = ''): Buffer {
  return Buffer.from(
    `MESSAGE sip:pager@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK${callId}\r\n` +
      `To: <sip:pager@127.0.0.1>\r\nFrom: <sip:router@127.0.0.1>;tag=r\r\nCall-ID: ${callId}\r\nCSeq: 1 MESSAGE\r\n` +
      `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(10);
  expect(check()).toBe(true);
}

function uas() {
  const bodies: string[] = [];
  const layer = new TransactionLayer({
    timers: nodeTimers,
    onRequest: (req, tx) => {
      bodies.push(req.body.toString());
      tx.respond(buildResponse(req, 200, { toTag: newTag() }));
    },
  });
  const transport = new TcpTransport(
    { request: (r, ch) => layer.receiveRequest(r, ch), response: (r) => layer.receiveResponse(r) },
    { host: '127.0.0.1', port: 0 },
  );
  return { transport, bodies, layer };
}

describe('TCP transport on 127.0.0.1', () => {
  let server: ReturnType<typeof uas>;
  let client: Socket;
  let replies: Buffer[];
  let raw: string;

  beforeEach(async () => {
    server = uas();
    await server.transport.listen();
    replies = [];
    raw = '';
    client = connect({ host: '127.0.0.1', port: server.transport.localAddress.port });
    const framer = new SipStreamFramer();
    client.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      replies.push(...framer.push(chunk));
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  afterEach(async () => {
    client.destroy();
    await server.transport.close();
  });

  it('frames coalesced and split messages and answers each on the same connection', async () => {
    const both = Buffer.concat([message('t1', 'first'), message('t2', 'zweite Nachricht')]);
    client.write(both.subarray(0, 37));
    await sleep(20);
    client.write(both.subarray(37, 300));
    client.write(both.subarray(300));
    await until(() => replies.length === 2);
    expect(replies.map((r) => parseMessage(r, { framing: 'stream' }).callId)).toEqual(['t1', 't2']);
    expect(server.bodies).toEqual(['first', 'zweite Nachricht']);
    expect(server.transport.connectionCount).toBe(1);
  });

  it('answers a double-CRLF keep-alive with a CRLF pong', async () => {
    client.write('\r\n\r\n');
    await until(() => raw === '\r\n');
  });

  it('answers a bad message with 400 and keeps the connection; a framing error gets 400 and a close', async () => {
    client.write(message('t3').toString().replace('CSeq: 1 MESSAGE', 'CSeq: 1 INVITE'));
    client.write(message('t4'));
    await until(() => replies.length === 2);
    expect(
      replies
        .map((r) => parseMessage(r, { framing: 'stream' }))
        .map((m) => m.kind === 'response' && m.status),
    ).toEqual([400, 200]);
    let closed = false;
    client.on('close', () => {
      closed = true;
    });
    client.write(message('t5').toString().replace('Content-Length: 0', 'Content-Length: lots'));
    await until(() => replies.length === 3 && closed);
    const last = parseMessage(replies[2]!, { framing: 'stream' });
    expect(last.kind === 'response' && last.status).toBe(400);
  });

  it('reuses one connection for a request and its response between two transports', async () => {
    const caller = uas();
    await caller.transport.listen();
    try {
      const request = parseMessage(message('t6'), { framing: 'stream' }) as SipRequest;
      const statuses: number[] = [];
      caller.layer.sendRequest(
        request,
        caller.transport.channelTo({ address: '127.0.0.1', port: server.transport.localAddress.port }),
        {
          response: (r) => statuses.push(r.status),
          timeout: () => statuses.push(408),
        },
      );
      await until(() => statuses.length === 1);
      expect(statuses).toEqual([200]);
      expect(caller.transport.connectionCount).toBe(1);
      expect(server.transport.connectionCount).toBe(2); // the test client's and the caller's
    } finally {
      await caller.transport.close();
    }
  });
});

describe('TCP transport failures', () => {
  it('reports a refused connection to the transaction through the channel', async () => {
    const caller = uas();
    await caller.transport.listen();
    // A port that was just free: nothing listens there.
    const probe = uas();
    await probe.transport.listen();
    const deadPort = probe.transport.localAddress.port;
    await probe.transport.close();
    try {
      const request = parseMessage(message('t7'), { framing: 'stream' }) as SipRequest;
      const outcome: string[] = [];
      let tx: ReturnType<typeof caller.layer.sendRequest> | undefined;
      const channel = caller.transport.channelTo({ address: '127.0.0.1', port: deadPort }, (err) =>
        tx?.transportError(err),
      );
      tx = caller.layer.sendRequest(request, channel, {
        response: () => outcome.push('response'),
        timeout: () => outcome.push('timeout'),
        transportError: () => outcome.push('transport error'),
      });
      await until(() => outcome.length === 1);
      expect(outcome).toEqual(['transport error']);
      expect(tx.state).toBe('terminated');
    } finally {
      await caller.transport.close();
    }
  });
});
