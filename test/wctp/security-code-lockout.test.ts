/**
 * Guessing WCTP security codes: failures are counted per senderID and per client address; a locked sender
 * or address gets wctp-Failure 603 (temporary) inside an HTTP 200, even with the right code; the address
 * the nurse-call system itself sends from keeps working; every lock is audited and an admin lifts it
 * through /api/lockouts. Requests leave from different loopback addresses (127.0.0.x).
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWctp } from '../../src/protocols/wctp/index.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { NURSE_CALL, submitRequest, WCTP_ENV, writeWctpHospital } from './wctp-hospital.ts';

const ADMIN_TOKEN = 'admin-token-for-lockout-tests';

function post(
  sb: TestSwitchboard,
  path: string,
  options: { method?: string; body?: string; from: string; token?: string },
): Promise<{ status: number; text: string }> {
  const url = new URL(path, sb.httpUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method ?? 'POST',
        localAddress: options.from,
        headers: {
          ...(options.body ? { 'content-type': 'text/xml' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Submits one nurse call from `from`; answers the HTTP status and the WCTP result code. */
async function submit(sb: TestSwitchboard, from: string, securityCode?: string, senderID?: string) {
  let xml = submitRequest('4W-401-A-water', 'Rm 401 Bed A: Water', { securityCode });
  if (senderID) xml = xml.replace(NURSE_CALL.senderID, senderID);
  const res = await post(sb, '/wctp', { body: xml, from });
  const answer = parseWctp(res.text) as { result?: { kind: string; code: number; text?: string } };
  return { status: res.status, code: answer.result?.code, text: answer.result?.text, raw: res.text };
}

let sb: TestSwitchboard;
beforeAll(async () => {
  const configDir = await writeWctpHospital();
  writeFileSync(
    join(configDir, 'tokens.yaml'),
    `apiTokens:\n  - { name: ops, role: admin, token: '\${TEST_ADMIN_TOKEN}' }\n`,
  );
  sb = await startTestSwitchboard({
    configDir,
    env: { ...WCTP_ENV, TEST_ADMIN_TOKEN: ADMIN_TOKEN },
    clock: new ManualClock('2026-11-22T14:30:00Z'),
    cycle: false,
  });
});
afterAll(() => sb?.cleanup());

describe('WCTP security codes', () => {
  it('the nurse-call system sends from its own address', async () => {
    expect(await submit(sb, '127.0.0.1')).toMatchObject({ status: 200, code: 200 });
  });

  it('five wrong codes lock the sender: 402 four times, then 603, all in HTTP 200; the right code is refused too', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await submit(sb, '127.0.0.2', `guess-${i}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.code)).toEqual([402, 402, 402, 402, 603]);
    expect(answers[4]?.text).toBe('Traffic rate excessive');
    expect(answers[4]?.raw).toMatch(/too many failed attempts/);
    expect(await submit(sb, '127.0.0.2')).toMatchObject({ status: 200, code: 603 });
    expect(await submit(sb, '127.0.0.9')).toMatchObject({ status: 200, code: 603 });
  });

  it('the address the nurse-call system signed in from before is not held by that lock', async () => {
    expect(await submit(sb, '127.0.0.1')).toMatchObject({ status: 200, code: 200 });
  });

  it('the lock is audited; an admin sees it and lifts it; the sender gets through again', async () => {
    const subject = `lockout:wctp-sender:${NURSE_CALL.senderID}`;
    expect(await sb.store.audit.list({ subject })).toMatchObject([
      { action: 'wctp.lockout', actor: 'system' },
    ]);
    const list = await post(sb, '/api/lockouts', { method: 'GET', from: '127.0.0.1', token: ADMIN_TOKEN });
    expect(JSON.parse(list.text).items).toEqual([
      expect.objectContaining({ kind: 'wctp-sender', key: NURSE_CALL.senderID, failures: 5 }),
    ]);
    const lift = await post(sb, `/api/lockouts/wctp-sender/${encodeURIComponent(NURSE_CALL.senderID)}`, {
      method: 'DELETE',
      from: '127.0.0.1',
      token: ADMIN_TOKEN,
    });
    expect(lift.status).toBe(200);
    expect(await submit(sb, '127.0.0.2')).toMatchObject({ status: 200, code: 200 });
    expect((await sb.store.audit.list({ subject }))[0]).toMatchObject({
      action: 'sign-in.lockout.lift',
      actor: 'token:ops',
    });
  });

  it('twenty failures from one address, whatever the senderID, lock that address (603)', async () => {
    const codes = [];
    for (let i = 0; i < 20; i++) codes.push((await submit(sb, '127.0.0.3', 'x', `stranger-${i}`)).code);
    expect(codes.slice(0, 19)).toEqual(Array(19).fill(401));
    expect(codes[19]).toBe(603);
    expect(await submit(sb, '127.0.0.3')).toMatchObject({ status: 200, code: 603 });
    expect(await sb.store.audit.list({ subject: 'lockout:wctp-address:127.0.0.3' })).toHaveLength(1);
    // The nurse-call system, elsewhere, is not affected.
    expect(await submit(sb, '127.0.0.1')).toMatchObject({ code: 200 });
  });
});
