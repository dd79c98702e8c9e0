/**
 * Brute-force protection of POST /api/session over the network: per-account and per-address lockouts
 * (429 + Retry-After, even for the right password), lifted by an admin through /api/lockouts, audited;
 * password hashing that cannot starve the store's durable writes, and its bounded queue (503).
 * Requests leave from different loopback addresses (127.0.0.x) to stand for different clients.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signIn,
  startTestSwitchboard,
  TEST_PASSWORD,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { type?: string; title?: string; token?: string; items?: unknown[] };
}

/** A JSON request from a chosen local address. */
function call(
  sb: TestSwitchboard,
  method: string,
  path: string,
  options: { body?: unknown; from?: string; token?: string; forwardedFor?: string } = {},
): Promise<Answer> {
  const url = new URL(path, sb.httpUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress: options.from ?? '127.0.0.1',
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: text ? JSON.parse(text) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const session = (sb: TestSwitchboard, username: string, password: string, from?: string) =>
  call(sb, 'POST', '/api/session', { body: { username, password }, from });

async function start(env: Record<string, string> = {}): Promise<TestSwitchboard> {
  const configDir = writeTestConfig();
  await writeTestAccounts(configDir, [
    { username: 'admin', role: 'admin' },
    { username: 'chief', role: 'admin' },
    { username: 'nurse', role: 'clinician' },
  ]);
  return startTestSwitchboard({ configDir, env });
}

describe('an account under attack (default limits: 5 per account, 20 per address)', () => {
  let sb: TestSwitchboard;
  let chief: string;
  beforeAll(async () => {
    sb = await start();
    chief = await signIn(sb.httpUrl, 'chief');
  });
  afterAll(() => sb?.cleanup());

  it('30 wrong passwords: 401 four times, then 429 with Retry-After; the right one is refused while locked', async () => {
    const statuses: number[] = [];
    let last: Answer | undefined;
    for (let i = 0; i < 30; i++) {
      last = await session(sb, 'admin', `guess-${i}`, '127.0.0.2');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual(Array(26).fill(429));
    expect(last?.body).toMatchObject({ status: 429, type: 'urn:switchboard:sign-in-locked' });
    expect(Number(last?.retryAfter)).toBeGreaterThan(0);
    expect(Number(last?.retryAfter)).toBeLessThanOrEqual(60);

    // Guessing learns nothing: the right password gets the same answer, from anywhere new.
    const right = await session(sb, 'admin', TEST_PASSWORD, '127.0.0.3');
    expect(right.status).toBe(429);
    expect(right.retryAfter).toBeDefined();
  });

  it('an admin sees the lock, lifts it (audited), and the account signs in again', async () => {
    const list = await call(sb, 'GET', '/api/lockouts', { token: chief });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ kind: 'account', key: 'admin', failures: 5, lockouts: 1 }),
    ]);
    const nurse = await signIn(sb.httpUrl, 'nurse');
    expect((await call(sb, 'GET', '/api/lockouts', { token: nurse })).status).toBe(403);
    expect((await call(sb, 'DELETE', '/api/lockouts/account/admin', { token: nurse })).status).toBe(403);
    expect((await call(sb, 'DELETE', '/api/lockouts/planet/admin', { token: chief })).status).toBe(404);

    const lifted = await call(sb, 'DELETE', '/api/lockouts/account/admin', { token: chief });
    expect(lifted.status).toBe(200);
    expect((await call(sb, 'DELETE', '/api/lockouts/account/admin', { token: chief })).status).toBe(404);
    expect((await session(sb, 'admin', TEST_PASSWORD, '127.0.0.3')).status).toBe(200);

    const audit = await sb.store.audit.list({ subject: 'lockout:account:admin' });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['sign-in.lockout.lift', 'chief'],
      ['sign-in.lockout', 'system'],
    ]);
  });

  it("sixteen parallel wrong sign-ins do not block the store's durable writes", async () => {
    const attempts = Array.from({ length: 16 }, (_, i) => session(sb, `name-${i}`, 'wrong', '127.0.0.4'));
    // A durable write (an audit row waits for the disk) made while all sixteen are being checked.
    await sb.store.audit.record({
      at: new Date(),
      actor: 'test',
      action: 'durable-write-under-sign-in-load',
      subject: 'test:1',
    });
    expect(await sb.store.audit.list({ subject: 'test:1' })).toHaveLength(1);
    expect((await Promise.all(attempts)).map((a) => a.status)).toEqual(Array(16).fill(401));
  });
});

describe('one address guessing across many user names', () => {
  let sb: TestSwitchboard;
  beforeAll(async () => {
    sb = await start({ SWITCHBOARD_HTTP_SIGN_IN_MAX_WAITING_CHECKS: '1' });
  });
  afterAll(() => sb?.cleanup());

  it('20 failures lock the address for every name, the right password included; other addresses still sign in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await session(sb, `user-${i}`, 'wrong', '127.0.0.5')).status);
    expect(statuses.slice(0, 19)).toEqual(Array(19).fill(401));
    expect(statuses[19]).toBe(429);
    const refused = await session(sb, 'nurse', TEST_PASSWORD, '127.0.0.5');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeDefined();
    expect((await session(sb, 'nurse', TEST_PASSWORD, '127.0.0.6')).status).toBe(200);

    const audit = await sb.store.audit.list({ subject: 'lockout:address:127.0.0.5' });
    expect(audit).toMatchObject([{ action: 'sign-in.lockout', actor: 'system' }]);
  });

  it('a full hashing queue refuses at once with 503 and Retry-After, and does not count as a failure', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => session(sb, `other-${i}`, 'wrong', '127.0.0.7')),
    );
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]).toMatchObject({ retryAfter: '1', body: { type: 'urn:switchboard:sign-in-busy' } });
    expect(answers.every((a) => a.status === 401 || a.status === 503)).toBe(true);
    // Only the checks that ran counted: the address is far from its limit and the right password works.
    expect((await session(sb, 'nurse', TEST_PASSWORD, '127.0.0.7')).status).toBe(200);
  });
});

describe('behind a trusted load balancer (http.trustedProxies)', () => {
  let sb: TestSwitchboard;
  // 127.0.0.1 stands for the balancer; every other loopback address for a client reaching us directly.
  beforeAll(async () => {
    sb = await start({ SWITCHBOARD_HTTP_TRUSTED_PROXIES: '[127.0.0.1]' });
  });
  afterAll(() => sb?.cleanup());

  const through = (username: string, password: string, client: string) =>
    call(sb, 'POST', '/api/session', {
      body: { username, password },
      from: '127.0.0.1',
      forwardedFor: client,
    });

  it("counts failures by the client's address, so one client's lockout does not lock everyone behind the balancer", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await through(`user-${i}`, 'wrong', '10.1.1.1')).status);
    expect(statuses[19]).toBe(429);
    expect((await through('nurse', TEST_PASSWORD, '10.1.1.1')).status).toBe(429);
    expect((await through('nurse', TEST_PASSWORD, '10.2.2.2')).status).toBe(200);
    expect(await sb.store.audit.list({ subject: 'lockout:address:10.1.1.1' })).toMatchObject([
      { action: 'sign-in.lockout' },
    ]);
    expect(await sb.store.audit.list({ subject: 'lockout:address:127.0.0.1' })).toEqual([]);
  });

  it('believes X-Forwarded-For only from the balancer: a client cannot name another address to dodge its lockout', async () => {
    for (let i = 0; i < 20; i++)
      await call(sb, 'POST', '/api/session', {
        body: { username: `guess-${i}`, password: 'wrong' },
        from: '127.0.0.9',
        forwardedFor: `10.9.9.${i}`,
      });
    const dodge = await call(sb, 'POST', '/api/session', {
      body: { username: 'nurse', password: TEST_PASSWORD },
      from: '127.0.0.9',
      forwardedFor: '10.9.9.200',
    });
    expect(dodge.status).toBe(429);
    expect(await sb.store.audit.list({ subject: 'lockout:address:127.0.0.9' })).toHaveLength(1);
  });
});
