/**
 * Interop with SIPp (Debian package sip-tester): its built-in `uac` scenario calls a tiny UAS built on
 * our stack (UDP transport + transaction layer), 20 calls, 5 at a time, clean and then with 10% of
 * messages dropped so that every retransmission path of the INVITE and non-INVITE machines runs.
 * SIPp is bound to 127.0.0.2 as the project's tests require of every peer.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResponse } from '../../protocols/sip/build.ts';
import { newTag } from '../../protocols/sip/ids.ts';
import type { SipRequest } from '../../protocols/sip/message.ts';
import { TransactionLayer } from '../../protocols/sip/transaction-layer.ts';
import { sipUri } from '../../protocols/sip/uri.ts';
import { nodeTimers } from './transport-routing.ts';
import { UdpTransport } from './transport-udp.ts';

const SIPP = '/usr/bin/sipp';
const available = existsSync(SIPP);
if (!available) console.warn(`[sipp] SKIPPED: ${SIPP} not found (install Debian package sip-tester)`);

const SDP =
  'v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

/** Answers INVITE with 200 + SDP, BYE and anything else with 200. */
function tinyUas() {
  const counts = { INVITE: 0, BYE: 0, ACK: 0 };
  let transport: UdpTransport;
  const layer = new TransactionLayer({
    timers: nodeTimers,
    onRequest(request: SipRequest, tx) {
      if (request.method === 'INVITE' || request.method === 'BYE') counts[request.method]++;
      const response = buildResponse(request, 200, { toTag: newTag() });
      if (request.method === 'INVITE') {
        const local = transport.localAddress;
        response.contact = [{ uri: sipUri({ host: local.host, port: local.port }), params: new Map() }];
        response.headers.push({ name: 'Content-Type', value: 'application/sdp' });
        response.body = Buffer.from(SDP);
        tx.user = { ack: () => counts.ACK++ };
      }
      tx.respond(response);
    },
  });
  transport = new UdpTransport(
    { request: (r, ch) => layer.receiveRequest(r, ch), response: (r) => layer.receiveResponse(r) },
    { host: '127.0.0.1', port: 0 },
  );
  return { transport, counts };
}

async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function runSipp(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(SIPP, args, { cwd: tmpdir(), timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

describe.skipIf(!available)('SIPp uac against our UDP stack', () => {
  const uas = tinyUas();
  beforeAll(async () => {
    await uas.transport.listen();
  });
  afterAll(async () => {
    await uas.transport.close();
  });

  const sipp = async (extra: string[]) =>
    runSipp([
      '-sn',
      'uac',
      `127.0.0.1:${uas.transport.localAddress.port}`,
      '-i',
      '127.0.0.2',
      '-p',
      String(await freeUdpPort('127.0.0.2')),
      '-m',
      '20',
      '-l',
      '5',
      '-timeout',
      '90',
      '-nostdin',
      ...extra,
    ]);

  it('completes 20 calls, 5 at a time', async () => {
    const before = { ...uas.counts };
    const { code, output } = await sipp([]);
    expect(code, output.slice(-2000)).toBe(0);
    expect(uas.counts.INVITE - before.INVITE).toBe(20);
    expect(uas.counts.BYE - before.BYE).toBe(20);
    expect(uas.counts.ACK - before.ACK).toBe(20);
  }, 120_000);

  it('completes 20 calls with 10% of messages lost (retransmissions on both sides)', async () => {
    const { code, output } = await sipp(['-lost', '10']);
    expect(code, output.slice(-2000)).toBe(0);
  }, 120_000);
});
