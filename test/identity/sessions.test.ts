/**
 * Server-side sessions over the real API: sign-out, an admin's revocation (which also closes the person's
 * open clinician page), idle and absolute timeouts on a clock the test moves, and API tokens unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '../../src/routing/clock.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

const DIRECTORY = `directory:
  people:
    - { id: p-kim, name: Nurse Kim, contacts: [{ kind: app, address: rn.kim }] }
  groups: []
`;
const IDENTITY = `identity:
  sessions: { idleMinutes: 30, absoluteHours: 2 }
`;
const API_TOKEN = 'an-api-token-from-the-vault';

let sb: TestSwitchboard;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  const configDir = writeTestConfig({
    'directory.yaml': DIRECTORY,
    'identity.yaml': IDENTITY,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the loader's own syntax for secrets
    'tokens.yaml': 'apiTokens:\n  - { name: integration, role: admin, token: "${SB_TEST_TOKEN}" }\n',
  });
  await writeTestAccounts(configDir, [
    { username: 'rn.kim', role: 'clinician', person: 'p-kim' },
    { username: 'admin', role: 'admin' },
  ]);
  sb = await startTestSwitchboard({ configDir, clock, env: { SB_TEST_TOKEN: API_TOKEN } });
});
afterAll(async () => {
  await sb?.cleanup();
});

const get = (path: string, token: string) =>
  fetch(`${sb.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
const send = (method: string, path: string, token: string) =>
  fetch(`${sb.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

function openSocket(token: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sb.httpUrl.replace('http', 'ws')}/api/ws?token=${token}`);
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    ws.once('message', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

describe('server-side sessions', () => {
  it('a token is opaque, and sign-out ends it at once', async () => {
    const token = await signIn(sb.httpUrl, 'rn.kim');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await get('/api/alerts', token)).status).toBe(200);
    const out = await send('POST', '/api/sign-out', token);
    expect(await out.json()).toEqual({ signedOut: true });
    const after = await get('/api/alerts', token);
    expect(after.status).toBe(401);
    expect((await after.json()).type).toBe('urn:switchboard:sign-in-required');
  });

  it("an admin lists a person's sessions and ends them all: requests and the open page are refused at once", async () => {
    const admin = await signIn(sb.httpUrl, 'admin');
    const phone = await signIn(sb.httpUrl, 'rn.kim');
    const desk = await signIn(sb.httpUrl, 'rn.kim');
    const socket = await openSocket(phone);
    const list = (await (await get('/api/people/p-kim/sessions', admin)).json()) as {
      items: Array<{ method: string; username: string; endedAt: string | null }>;
    };
    expect(list.items).toHaveLength(2);
    expect(list.items.every((s) => s.method === 'password' && s.username === 'rn.kim')).toBe(true);

    const revoke = await send('DELETE', '/api/people/p-kim/sessions', admin);
    expect(await revoke.json()).toEqual({ ended: 2 });
    expect(await socket.closed).toBe(4401);
    expect((await get('/api/alerts', phone)).status).toBe(401);
    expect((await get('/api/alerts', desk)).status).toBe(401);
    const audit = await sb.store.audit.list({ subject: 'person:p-kim' });
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'session.revoke' });
    const ended = (await (await get('/api/people/p-kim/sessions?ended=true', admin)).json()) as {
      items: Array<{ endReason: string }>;
    };
    expect(ended.items.filter((s) => s.endReason === 'revoked')).toHaveLength(2);
    // A clinician may not see or end anyone's sessions.
    const other = await signIn(sb.httpUrl, 'rn.kim');
    expect((await get('/api/people/p-kim/sessions', other)).status).toBe(403);
  });

  it('a session ends after its idle time without use, and after its absolute time however used', async () => {
    const idle = await signIn(sb.httpUrl, 'rn.kim');
    clock.advance(29);
    expect((await get('/api/alerts', idle)).status).toBe(200);
    clock.advance(29); // 58 minutes in, 29 since last use
    expect((await get('/api/alerts', idle)).status).toBe(200);
    clock.advance(31);
    expect((await get('/api/alerts', idle)).status).toBe(401);

    const busy = await signIn(sb.httpUrl, 'rn.kim');
    for (let i = 0; i < 4; i++) {
      clock.advance(25);
      expect((await get('/api/alerts', busy)).status).toBe(200);
    }
    clock.advance(25); // 125 minutes, 25 since last use: past the 2-hour absolute limit
    expect((await get('/api/alerts', busy)).status).toBe(401);
  });

  it('API tokens keep working, and signing out with one ends nothing', async () => {
    expect((await get('/api/messages', API_TOKEN)).status).toBe(200);
    expect(await (await send('POST', '/api/sign-out', API_TOKEN)).json()).toEqual({ signedOut: false });
    expect((await get('/api/messages', API_TOKEN)).status).toBe(200);
  });
});

describe('local accounts switched off', () => {
  it('POST /api/session answers 403 local-sign-in-off', async () => {
    const configDir = writeTestConfig({ 'identity.yaml': 'identity:\n  localAccounts: false\n' });
    await writeTestAccounts(configDir, [{ username: 'admin', role: 'admin' }]);
    const off = await startTestSwitchboard({ configDir });
    try {
      const res = await fetch(`${off.httpUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'test-password' }),
      });
      expect(res.status).toBe(403);
      expect((await res.json()).type).toBe('urn:switchboard:local-sign-in-off');
    } finally {
      await off.cleanup();
    }
  });
});
