/**
 * Nurse call over WCTP, behaviour: a real Switchboard on ephemeral ports, a manual clock, clinicians'
 * devices over WebSocket, the nurse-call system's answers and its status listener over HTTP.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildConfirmation,
  parseWctp,
  type WctpRequest,
  wctpSuccess,
} from '../../src/protocols/wctp/index.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { postWctp, submitRequest, WCTP_ENV, writeWctpHospital } from './wctp-hospital.ts';

// 09:30 in New York on 2026-11-22: the day shift covers 4W 401-A.
const START = '2026-11-22T14:30:00Z';
const running: TestSwitchboard[] = [];
const devices: FakeDevice[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
});

async function hospital(clock = new ManualClock(START), extra = '') {
  const sb = await startTestSwitchboard({
    configDir: await writeWctpHospital(extra),
    env: WCTP_ENV,
    clock,
    cycle: false,
  });
  running.push(sb);
  return { sb, clock };
}

async function device(sb: TestSwitchboard, username: string) {
  const d = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, username), username);
  devices.push(d);
  return d;
}

/** The nurse-call system's own WCTP listener: records every push, answers wctp-Confirmation. */
async function statusListener(answer = () => buildConfirmation(wctpSuccess())) {
  const received: WctpRequest[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push(parseWctp(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'text/xml' }).end(answer());
      for (const w of waiters.splice(0)) w();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/wctp`,
    received,
    async waitFor(pred: (r: WctpRequest) => boolean, ms = 5000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        if (Date.now() > end)
          throw new Error(`no matching push; got ${received.map((r) => r.operation).join(', ')}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

const confirmed = (text: string) =>
  parseWctp(text) as WctpRequest & { operation: string; result?: { kind: string; code: number } };

describe('nurse call over WCTP', () => {
  it('a water request goes to the tech covering the bed, with the bed and a call-back number', async () => {
    const { sb } = await hospital();
    const tech = await device(sb, 'tech.day');
    const nurse = await device(sb, 'rn.day');
    const res = await postWctp(sb.httpUrl, submitRequest('4W-401-A-water', 'Rm 401 Bed A: Water'));
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/xml');
    expect(confirmed(res.text)).toMatchObject({
      operation: 'Confirmation',
      result: { kind: 'success', code: 200 },
    });
    const alert = await tech.waitForAlert();
    expect(alert).toMatchObject({ priority: 'low', title: 'Rm 401 Bed A: Water' });
    expect(alert as unknown as Record<string, unknown>).toMatchObject({
      callback: '4401',
      patient: { where: '4W 401-A' },
    });
    expect(nurse.alerts().size).toBe(0);
  });

  it('a bathroom call goes to the nurse (higher intensity), a code to the rapid response team', async () => {
    const { sb } = await hospital();
    const tech = await device(sb, 'tech.day');
    const nurse = await device(sb, 'rn.day');
    const rrt = await device(sb, 'rrt.one');
    await postWctp(sb.httpUrl, submitRequest('NC-401-A', 'Room 401 bed A bathroom assist'));
    expect(await nurse.waitForAlert()).toMatchObject({ priority: 'high' });
    await postWctp(sb.httpUrl, submitRequest('NC-401-A', 'CODE BLUE Rm 401 Bed A'));
    expect(await rrt.waitForAlert()).toMatchObject({ priority: 'urgent', title: 'CODE BLUE Rm 401 Bed A' });
    await sb.settled();
    expect(tech.alerts().size).toBe(0);
    const timeline = await sb.store.alerts.timeline(1);
    expect(timeline.find((e) => e.kind === 'routed')?.detail).toMatch(
      /event bathroom .*the nurse covering the bed/,
    );
  });

  it('reject escalates at once to the nurse; accept stops it and the reply and statuses go back', async () => {
    const { sb, clock } = await hospital();
    const listener = await statusListener();
    const tech = await device(sb, 'tech.day');
    const nurse = await device(sb, 'rn.day');
    const charge = await device(sb, 'charge');
    const control = `sendResponsesToID="${listener.url}" notifyWhenDelivered="true" notifyWhenRead="true" allowResponse="true" transactionID="TX-9"`;
    await postWctp(
      sb.httpUrl,
      submitRequest('4W-401-A-water', 'Rm 401 Bed A: water', {
        messageID: 'NC-REJ-1',
        control,
        choices: ['Accept', 'Reject'],
      }),
    );
    const alert = await tech.waitForAlert();
    expect(alert.choices).toEqual(['Accept', 'Reject']);
    const delivered = await listener.waitFor((r) => r.operation === 'StatusInfo');
    expect(delivered).toMatchObject({
      responseToMessageID: 'NC-REJ-1',
      recipient: { recipientID: 'nursecall@test.example' },
      originator: { senderID: '4W-401-A-water' },
      messageControl: { transactionID: 'TX-9' },
      status: { kind: 'notification', type: 'DELIVERED' },
    });
    await tech.answer('reject', alert.id);
    await nurse.waitForAlert((a) => a.id === alert.id); // at once, no clock moved
    await nurse.answer('accept', alert.id);
    const reply = await listener.waitFor(
      (r) =>
        r.operation === 'MessageReply' && r.payload.kind === 'alphanumeric' && r.payload.text === 'Accept',
    );
    expect(reply).toMatchObject({ mcrMessageReply: true, responseToMessageID: 'NC-REJ-1' });
    clock.advance(30);
    await sb.routing.tick();
    expect(charge.alerts().size).toBe(0);
    const kinds = (await sb.store.alerts.timeline(alert.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['rejected', 'escalated', 'accepted', 'wctp']));
  });

  it('unanswered: the nurse after 2 minutes, then the charge nurse', async () => {
    const { sb, clock } = await hospital();
    const nurse = await device(sb, 'rn.day');
    const charge = await device(sb, 'charge');
    await postWctp(sb.httpUrl, submitRequest('4W-401-A-water', 'water'));
    await sb.settled();
    clock.advance(2);
    await sb.routing.tick();
    const a = await nurse.waitForAlert();
    expect(charge.alerts().size).toBe(0);
    clock.advance(2);
    await sb.routing.tick();
    await charge.waitForAlert((x) => x.id === a.id);
  });

  it('a MultipleChoice reply goes back; without a push address it waits for PollForMessages', async () => {
    const { sb } = await hospital();
    const nurse = await device(sb, 'rn.day');
    const control = 'allowResponse="true" notifyWhenDelivered="true"';
    await postWctp(
      sb.httpUrl,
      submitRequest('4W-401-A-bath', 'Rm 401 Bed A toilet', {
        messageID: 'NC-POLL-1',
        control,
        choices: ['On my way', 'Send someone else'],
      }),
    );
    const alert = await nurse.waitForAlert();
    await nurse.answer('reply', alert.id, 'Send someone else');
    const poll = (received = '') =>
      postWctp(
        sb.httpUrl,
        `<?xml version="1.0"?><wctp-Operation wctpVersion="1.3"><wctp-PollForMessages pollerID="nursecall@test.example" securityCode="nc-test-code" maxMessagesInBatch="5">${received}</wctp-PollForMessages></wctp-Operation>`,
      ).then((r) => parseWctp(r.text));
    const first = await poll();
    if (first.operation !== 'PollResponse' || first.result.kind !== 'messages')
      throw new Error(`no messages: ${JSON.stringify(first)}`);
    const ops = first.result.messages.map((m) => m.message.operation);
    expect(ops).toEqual(['StatusInfo', 'MessageReply']);
    expect(first.result.messages[1]!.message).toMatchObject({
      mcrMessageReply: true,
      payload: { text: 'Send someone else' },
    });
    // Not confirmed: handed over again. Confirmed: gone.
    const again = await poll();
    expect(again).toMatchObject({ result: { kind: 'messages', messages: first.result.messages } });
    const acks = first.result.messages
      .map(
        (m) =>
          `<wctp-MessageReceived sequenceNo="${m.sequenceNo}"><wctp-Success successCode="200"/></wctp-MessageReceived>`,
      )
      .join('');
    expect(await poll(acks)).toMatchObject({ result: { kind: 'none' } });
    // A poller with a wrong code: 432.
    const bad = await postWctp(
      sb.httpUrl,
      `<wctp-Operation wctpVersion="1.3"><wctp-PollForMessages pollerID="nursecall@test.example" securityCode="nope"/></wctp-Operation>`,
    );
    expect(parseWctp(bad.text)).toMatchObject({
      operation: 'PollResponse',
      result: { kind: 'failure', code: 432 },
    });
  });

  it('a repeated messageID is confirmed again and routed once', async () => {
    const { sb } = await hospital();
    const doc = submitRequest('4W-401-A-water', 'water', { messageID: 'NC-DUP' });
    const one = await postWctp(sb.httpUrl, doc);
    const two = await postWctp(sb.httpUrl, doc);
    expect(confirmed(one.text).result).toMatchObject({ kind: 'success', code: 200 });
    expect(confirmed(two.text).result).toMatchObject({ kind: 'success', code: 200 });
    await sb.settled();
    const stored = await sb.store.messages.list({ controlId: 'NC-DUP' });
    expect(stored.total).toBe(1);
    expect(stored.items[0]!.status).toBe('routed');
    // The security code is not kept in the stored copy analysts read.
    const raw = (await sb.store.messages.get(stored.items[0]!.id))!.raw.toString();
    expect(raw).not.toContain('nc-test-code');
    expect(raw).toContain('securityCode="(hidden)"');
  });
});
