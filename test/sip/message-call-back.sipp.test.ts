/**
 * The gateway's other doors: a SIP MESSAGE from a nurse-call server becomes an alert for whoever the number
 * reaches (stored first, a resend answered again but not routed twice); the clinician's "call back" on that
 * alert rings their phone, then the bed station through the nurse-call server, and joins them (3PCC);
 * the CDRs are listed by the API and SIP shows in /api/health.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { SIP_ENV, writeSipHospital } from './hospital.ts';
import { freeUdpPort, settle, sipp, sippAvailable } from './sipp.ts';

if (!sippAvailable)
  console.warn('[sip message/call-back] SKIPPED: /usr/bin/sipp not found (install sip-tester)');

/** A nurse-call server's socket on 127.0.0.2: sends a datagram and resolves with the next answer. */
async function nurseCallServer() {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.2', resolve));
  return {
    async send(text: string, port: number): Promise<string> {
      const answer = new Promise<string>((resolve) => socket.once('message', (m) => resolve(m.toString())));
      socket.send(Buffer.from(text), port, '127.0.0.1');
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('(no answer)'), 5000));
      return Promise.race([answer, timeout]);
    },
    close: () => socket.close(),
  };
}

const message = (port: number, text: string) => {
  const body = text.replace(/\n/g, '\r\n');
  return `MESSAGE sip:4444@127.0.0.1:${port} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.2:5099;branch=z9hG4bK-msg-1;rport
Max-Forwards: 70
From: "Nurse call 4W" <sip:bed401a@127.0.0.2>;tag=nc1
To: <sip:4444@127.0.0.1>
Call-ID: nurse-call-msg-1
CSeq: 7 MESSAGE
Priority: urgent
Content-Type: text/plain;charset=utf-8
Content-Length: ${Buffer.byteLength(body)}
`
    .replace(/\n/g, '\r\n')
    .concat('\r\n', body);
};

describe.skipIf(!sippAvailable)('SIP MESSAGE to an alert, and call back from it', () => {
  let sb: TestSwitchboard;
  let onePort: number;
  let stationPort: number;

  beforeAll(async () => {
    onePort = await freeUdpPort('127.0.0.3');
    stationPort = await freeUdpPort('127.0.0.4');
    const configDir = await writeSipHospital({
      one: `sip:one@127.0.0.3:${onePort}`,
      two: `sip:two@127.0.0.4:${await freeUdpPort('127.0.0.4')}`,
      nurseCall: { host: '127.0.0.4', port: stationPort },
    });
    sb = await startTestSwitchboard({ configDir, env: SIP_ENV });
  });
  afterAll(async () => {
    await sb?.cleanup();
  });

  let alertId = 0;

  it('MESSAGE is stored, answered 200, and raised as an alert for the hospitalists; a resend is not routed twice', async () => {
    const text = message(sb.sip!.port, 'Bed 401-A: patient call, pain 8/10\nsecond line');
    const server = await nurseCallServer();
    expect(await server.send(text, sb.sip!.port)).toMatch(/^SIP\/2\.0 200 /);
    await sb.settled();
    const stored = await sb.store.messages.list({});
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({
      listener: 'sip',
      status: 'routed',
      sendingApplication: 'bed401a',
    });
    const alerts = await sb.store.alerts.list({ limit: 10 });
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    alertId = alert.id;
    expect(alert).toMatchObject({
      source: 'sip',
      title: 'Bed 401-A: patient call, pain 8/10',
      priority: 'high',
      context: { callback: 'bed401a' },
    });
    const recipients = (await sb.store.alerts.recipients(alert.id)).map((r) => r.personId).sort();
    expect(recipients).toEqual(['p-one', 'p-two']);

    // The same request again (its answer was lost): answered again, stored and routed once.
    expect(await server.send(text, sb.sip!.port)).toMatch(/^SIP\/2\.0 200 /);
    server.close();
    await sb.settled();
    expect(await sb.store.alerts.list({ limit: 10 })).toHaveLength(1);
    expect((await sb.store.messages.list({})).items).toHaveLength(1);
  }, 30_000);

  it('health lists the SIP listener', async () => {
    const health = (await (await fetch(`${sb.httpUrl}/api/health`)).json()) as {
      listeners: Record<string, { state: string; transports: string[] }>;
    };
    expect(health.listeners.sip).toMatchObject({ state: 'listening', transports: ['UDP', 'TCP'] });
  });

  it('call back: the clinician answers, the bed station is rung with their offer, the two are joined', async () => {
    const phone = sipp('bench-callee.xml', ['-i', '127.0.0.3', '-p', String(onePort), '-m', '1']);
    const station = sipp('callee-hangs-up.xml', ['-i', '127.0.0.4', '-p', String(stationPort), '-m', '1']);
    await settle();
    const token = await signIn(sb.httpUrl, 'dr.one');
    const res = await fetch(`${sb.httpUrl}/api/alerts/${alertId}/call-back`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    const { callId } = (await res.json()) as { callId: string };
    for (const r of await Promise.all([phone.done, station.done]))
      expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(alertId).toBeGreaterThan(0);
    let calls = await sb.store.sip.listCalls({});
    for (let i = 0; i < 30 && calls.length === 0; i++) {
      await settle(100);
      calls = await sb.store.sip.listCalls({});
    }
    expect(calls[0]).toMatchObject({
      callId,
      kind: 'call-back',
      outcome: 'answered',
      answeredBy: 'p-one',
      dialled: 'bed401a',
      alertId,
      endedBy: 'callee',
    });
    const listed = (await (
      await fetch(`${sb.httpUrl}/api/calls`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { items: { callId: string }[] };
    expect(listed.items.map((c) => c.callId)).toEqual([callId]);
  }, 60_000);

  it('call back is refused for an alert the clinician was not sent', async () => {
    const token = await signIn(sb.httpUrl, 'dr.three');
    const res = await fetch(`${sb.httpUrl}/api/alerts/${alertId}/call-back`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });
});
