/**
 * The WCTP endpoint as a sender sees it: HTTP rules (POST only, content types, body limit), every
 * operation's answer, and the WCTP status codes of refusals (ERROR-CODES.md), all over the network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWctp, type WctpRequest } from '../../src/protocols/wctp/index.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeDevice } from '../support/device.ts';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import {
  NURSE_CALL,
  PAGING_CLIENT,
  postWctp,
  submitRequest,
  WCTP_ENV,
  writeWctpHospital,
} from './wctp-hospital.ts';

let sb: TestSwitchboard;
beforeAll(async () => {
  sb = await startTestSwitchboard({
    configDir: await writeWctpHospital(),
    env: WCTP_ENV,
    clock: new ManualClock('2026-11-22T14:30:00Z'),
    cycle: false,
  });
});
afterAll(() => sb?.cleanup());

const op = (xml: string) =>
  `<?xml version="1.0"?><wctp-Operation wctpVersion="wctp-dtd-v1r3">${xml}</wctp-Operation>`;
const answer = async (body: string, type?: string) =>
  parseWctp((await postWctp(sb.httpUrl, body, type)).text) as WctpRequest & Record<string, unknown>;
const failureCode = (a: Record<string, unknown>) => (a.result as { code?: number } | undefined)?.code;
const originator = `<wctp-Originator senderID="${NURSE_CALL.senderID}" securityCode="${NURSE_CALL.securityCode}"/>`;

describe('HTTP', () => {
  it('GET is 405 with Allow: POST; an unknown content type is 415; an oversized body 413', async () => {
    const get = await fetch(`${sb.httpUrl}/wctp`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await postWctp(sb.httpUrl, '{}', 'application/json')).status).toBe(415);
    const huge = await postWctp(sb.httpUrl, `<a>${'x'.repeat(300_000)}</a>`);
    expect(huge.status).toBe(413);
  });

  it('garbage is HTTP 200 with a wctp-Confirmation failure 301', async () => {
    const res = await postWctp(sb.httpUrl, 'this is not xml');
    expect(res.status).toBe(200);
    expect(parseWctp(res.text)).toMatchObject({
      operation: 'Confirmation',
      result: { kind: 'failure', code: 301 },
    });
  });

  it('a form-encoded body is read, and so is a body without a content type', async () => {
    const form = `xml=${encodeURIComponent(submitRequest('4W-401-A-water', 'form water'))}`;
    expect(await answer(form, 'application/x-www-form-urlencoded')).toMatchObject({
      result: { kind: 'success' },
    });
    const res = await fetch(`${sb.httpUrl}/wctp`, {
      method: 'POST',
      body: new Blob([submitRequest('4W-401-A-water', 'bare')]),
    });
    expect(parseWctp(await res.text())).toMatchObject({ result: { kind: 'success' } });
  });
});

describe('refusals, with the codes of ERROR-CODES.md', () => {
  it('401 unknown sender, 402 wrong security code, 403 unknown recipient', async () => {
    const unknown = submitRequest('4W-401-A-water', 'x').replace(NURSE_CALL.senderID, 'stranger');
    expect(failureCode(await answer(unknown))).toBe(401);
    expect(failureCode(await answer(submitRequest('4W-401-A-water', 'x', { securityCode: 'wrong' })))).toBe(
      402,
    );
    expect(failureCode(await answer(submitRequest('nobody-here', 'x')))).toBe(403);
  });

  it('411 too long, 416 too many choices, 430 binary, 408 expired, 400 deferred delivery, 303 unknown version', async () => {
    expect(
      failureCode(
        await answer(
          submitRequest('4W-401-A-water', 'y'.repeat(201), { control: 'allowTruncation="false"' }),
        ),
      ),
    ).toBe(411);
    const truncatable = submitRequest('4W-401-A-water', 'y'.repeat(201), {
      control: '',
    });
    expect(await answer(truncatable)).toMatchObject({ result: { kind: 'success' } });
    expect(
      failureCode(await answer(submitRequest('RRT', 'pick', { choices: ['a', 'b', 'c', 'd', 'e'] }))),
    ).toBe(416);
    const binary = submitRequest('RRT', 'x').replace(
      '<wctp-Alphanumeric>x</wctp-Alphanumeric>',
      '<wctp-TransparentData type="OPAQUE" encoding="base64">AAECAwQF</wctp-TransparentData>',
    );
    expect(failureCode(await answer(binary))).toBe(430);
    expect(
      failureCode(
        await answer(submitRequest('RRT', 'x', { control: 'deliveryBefore="2020-01-01T00:00:00"' })),
      ),
    ).toBe(408);
    expect(
      failureCode(
        await answer(submitRequest('RRT', 'x', { control: 'deliveryAfter="2030-01-01T00:00:00"' })),
      ),
    ).toBe(400);
    expect(failureCode(await answer(submitRequest('RRT', 'x', { version: 'wctp-dtd-v9r9' })))).toBe(303);
  });

  it('a WCTP 1.0 sender is accepted with 210 (deprecated version)', async () => {
    expect(await answer(submitRequest('RRT', 'old client', { version: 'wctpv1-0' }))).toMatchObject({
      result: { kind: 'success', code: 210 },
    });
  });

  it('an operation a gateway is not asked is 300', async () => {
    expect(
      failureCode(
        await answer(op('<wctp-Confirmation><wctp-Success successCode="200"/></wctp-Confirmation>')),
      ),
    ).toBe(300);
  });
});

describe('queries', () => {
  it('VersionQuery lists the releases we read', async () => {
    const a = await answer(op('<wctp-VersionQuery inquirer="nc" dateTime="2026-11-22T14:30:00"/>'));
    expect(a).toMatchObject({ operation: 'VersionResponse', responder: 'switchboard.test', inquirer: 'nc' });
    expect((a.result as { dtds: Array<{ dtdName: string }> }).dtds.map((d) => d.dtdName)).toContain(
      'wctp-dtd-v1r3',
    );
  });

  it('LookupSubscriber: a known recipient takes messages and replies; an unknown one is 403', async () => {
    const lookup = (id: string) =>
      op(
        `<wctp-LookupSubscriber>${originator}<wctp-LookupMessageControl messageID="LK-1"/><wctp-Recipient recipientID="${id}"/></wctp-LookupSubscriber>`,
      );
    expect(await answer(lookup('617-555-0101'))).toMatchObject({
      operation: 'LookupResponse',
      responseToMessageID: 'LK-1',
      result: { kind: 'lookup', maxMessageLength: 200, mcrSupported: true, canRespond: true },
    });
    expect(await answer(lookup('5550000'))).toMatchObject({
      operation: 'LookupResponse',
      result: { kind: 'failure', code: 403 },
    });
  });

  it('DeviceLocation says honestly that device locations are not tracked (400)', async () => {
    const a = await answer(
      op(
        `<wctp-DeviceLocation>${originator}<wctp-DeviceLocationControl messageID="L-1"/><wctp-Recipient recipientID="RRT"/></wctp-DeviceLocation>`,
      ),
    );
    expect(a).toMatchObject({
      operation: 'DeviceLocationResponse',
      responseToMessageID: 'L-1',
      result: { kind: 'failure', code: 400 },
    });
  });
});

describe('messages', () => {
  it('recipientIDs: a pager number, a crosswalk id, a group, an assignment on call, an app account', async () => {
    const dr = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'dr.one'), 'dr.one');
    try {
      for (const id of ['1 (617) 555-0101', 'E77', 'hospitalist', 'dr.one']) {
        expect(await answer(submitRequest(id, `page for ${id}`))).toMatchObject({
          result: { kind: 'success' },
        });
        await dr.waitForAlert((a) => a.title === `page for ${id}`);
      }
    } finally {
      dr.close();
    }
  });

  it('SendMsgMulti: unknown recipients are listed, the rest are paged; over the limit is 431', async () => {
    const multi = (ids: string[], extra = '') =>
      op(
        `<wctp-SendMsgMulti><wctp-MsgMultiHeader>${originator}<wctp-MsgMultiControl messageID="MM-${ids.length}-${extra.length}" ${extra}/>${ids
          .map((id) => `<wctp-Recipient recipientID="${id}"/>`)
          .join(
            '',
          )}</wctp-MsgMultiHeader><wctp-Payload><wctp-Alphanumeric>multi</wctp-Alphanumeric></wctp-Payload></wctp-SendMsgMulti>`,
      );
    const a = await answer(multi(['RRT', 'ghost']));
    expect(a).toMatchObject({
      operation: 'SendMsgMultiResponse',
      numValidRecips: 1,
      numInvalidRecips: 1,
      result: { kind: 'success' },
      failedRecipients: [{ recipientID: 'ghost', code: 403 }],
    });
    expect(await answer(multi(['RRT', 'ghost'], 'allRecipsRequired="true"'))).toMatchObject({
      result: { kind: 'failure', code: 403 },
    });
    expect(await answer(multi(['RRT', 'RRT', 'RRT', 'RRT']))).toMatchObject({
      result: { kind: 'failure', code: 431 },
    });
  });

  it('a transient client: SubmitClientMessage gives a tracking number; ClientQuery returns the status', async () => {
    const rrt = await FakeDevice.connect(sb.httpUrl, await signIn(sb.httpUrl, 'rrt.one'), 'rrt.one');
    try {
      const submit = (password: string) =>
        op(
          `<wctp-SubmitClientMessage><wctp-SubmitClientHeader><wctp-ClientOriginator senderID="${PAGING_CLIENT.senderID}" miscInfo="${password}"/><wctp-ClientMessageControl notifyWhenDelivered="true"/><wctp-Recipient recipientID="RRT"/></wctp-SubmitClientHeader><wctp-Payload><wctp-Alphanumeric>transient page</wctp-Alphanumeric></wctp-Payload></wctp-SubmitClientMessage>`,
        );
      expect(await answer(submit('wrong'))).toMatchObject({
        operation: 'SubmitClientResponse',
        result: { kind: 'failure', code: 402 },
      });
      const ok = await answer(submit(PAGING_CLIENT.password));
      expect(ok).toMatchObject({ operation: 'SubmitClientResponse', result: { kind: 'success' } });
      const tracking = (ok.result as { trackingNumber: string }).trackingNumber;
      await rrt.waitForAlert((a) => a.title === 'transient page');
      const query = (n: string, recipient = 'RRT') =>
        answer(
          op(
            `<wctp-ClientQuery senderID="${PAGING_CLIENT.senderID}" recipientID="${recipient}" trackingNumber="${n}"/>`,
          ),
        );
      let status = await query(tracking);
      for (let i = 0; i < 20 && (status.result as { kind: string }).kind === 'none'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await query(tracking);
      }
      expect(status).toMatchObject({
        operation: 'ClientQueryResponse',
        result: { kind: 'messages', messages: [{ kind: 'status', status: { type: 'DELIVERED' } }] },
      });
      expect(await query(tracking)).toMatchObject({ result: { kind: 'none' } });
      expect(await query(tracking, 'someone-else')).toMatchObject({ result: { kind: 'failure', code: 504 } });
      expect(await query('99999')).toMatchObject({ result: { kind: 'failure', code: 504 } });
    } finally {
      rrt.close();
    }
  });
});
