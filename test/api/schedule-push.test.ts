/**
 * The push API over real HTTP: OAuth 2.0 client credentials at /oauth/token (Basic and form
 * authentication, scopes, RFC 6749 5.2 errors), one-hour tokens on a controllable clock, revocation, and
 * the /api/v1/schedules routes (RFC 6750 refusals, problem JSON listing every bad field, upserts and
 * deletions reaching the injected apply as the engine's SourcePull).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openApiRoute, registerOpenApi } from '../../src/api/openapi.ts';
import type { PushClient } from '../../src/api/push-clients.ts';
import { answerError, registerRequestErrors } from '../../src/api/request-errors.ts';
import { PasswordHasher } from '../../src/kit/passwords.ts';
import type { SourcePull } from '../../src/schedules/sources/source.ts';
import type { AuditLog } from '../../src/store/port.ts';
import { wireSchedulePush } from '../../src/wiring/schedule-push.ts';

const hasher = new PasswordHasher();
let app: FastifyInstance;
let base: string;
let now = new Date('2026-03-01T12:00:00Z');
const pushes: Array<{ source: string; pull: SourcePull; actor: string }> = [];
const audits: Array<{ action: string; subject: string }> = [];
let clients: PushClient[] = [];
const SECRET = 'Lb-7f3c9e1d-secret';
const OTHER_SECRET = 'Other-2b8a-secret';

beforeAll(async () => {
  clients = [
    {
      id: 'lightning-bolt',
      secretHash: await hasher.hash(SECRET),
      sources: ['anesthesia', 'hospitalists'],
      enabled: true,
    },
    {
      id: 'other-vendor',
      secretHash: await hasher.hash(OTHER_SECRET),
      sources: ['hospitalists'],
      enabled: true,
    },
    {
      id: 'new-vendor',
      secretHash: await hasher.hash(OTHER_SECRET),
      sources: ['hospitalists'],
      enabled: true,
    },
  ];
  app = Fastify({ ajv: { customOptions: { allErrors: true } }, frameworkErrors: answerError });
  registerRequestErrors(app);
  await registerOpenApi(app);
  await openApiRoute(app);
  const wiring = wireSchedulePush({
    clients: () => clients,
    secret: 'site-secret-for-tests',
    verify: (s, h) => hasher.verify(s, h),
    isPushSource: (id) => id === 'anesthesia' || id === 'hospitalists',
    apply: async (source, pull, actor) => {
      pushes.push({ source, pull, actor });
      if (pull.mode === 'window' && pull.shifts.length === 0)
        return { status: 'held', message: 'held: would remove 3 of 3 shifts of the next 48 hours' };
      if (pull.mode === 'delta' && pull.deleted.includes('DISK-FULL'))
        return { status: 'failed', message: 'the store could not write: SQLITE_FULL' };
      return { status: 'applied', message: 'applied', counts: { added: pull.shifts.length } };
    },
    audit: {
      record: async (row: { action: string; subject: string }) => void audits.push(row),
    } as unknown as AuditLog,
    log: pino({ level: 'silent' }),
    now: () => now,
  });
  wiring.routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await hasher.close();
});
beforeEach(() => {
  pushes.length = 0;
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function token(
  form: Record<string, string>,
  authorization?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function accessToken(scope?: string): Promise<string> {
  const r = await token(
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    basic('lightning-bolt', SECRET),
  );
  expect(r.status).toBe(200);
  return r.body.access_token as string;
}

async function push(method: string, path: string, bearer: string | undefined, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    challenge: res.headers.get('www-authenticate'),
    type: res.headers.get('content-type'),
  };
}

const shift = (id: string, start: string, end: string, extra: Record<string, unknown> = {}) => ({
  id,
  staff: { employeeId: 'E1001' },
  task: { taskId: 'ANES-OB' },
  start,
  end,
  ...extra,
});

describe('POST /oauth/token', () => {
  it('issues a one-hour bearer token with client_secret_basic, and with client_secret_post', async () => {
    const viaBasic = await token({ grant_type: 'client_credentials' }, basic('lightning-bolt', SECRET));
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'schedules:write:anesthesia schedules:write:hospitalists',
    });
    expect(viaBasic.headers.get('cache-control')).toBe('no-store');
    expect(viaBasic.headers.get('pragma')).toBe('no-cache');
    const viaPost = await token({
      grant_type: 'client_credentials',
      client_id: 'lightning-bolt',
      client_secret: SECRET,
      scope: 'schedules:write:anesthesia',
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.body.scope).toBe('schedules:write:anesthesia');
  });

  it('answers RFC 6749 5.2 errors: wrong secret, unknown client, bad grant, bad scope, two ways at once', async () => {
    const wrong = await token({ grant_type: 'client_credentials' }, basic('lightning-bolt', 'guess'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      error: 'invalid_client',
      type: 'urn:switchboard:token-request-refused',
    });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    const unknown = await token({
      grant_type: 'client_credentials',
      client_id: 'nobody',
      client_secret: 'x',
    });
    expect(unknown.body.error).toBe('invalid_client');
    expect((await token({ grant_type: 'password' }, basic('lightning-bolt', SECRET))).body.error).toBe(
      'unsupported_grant_type',
    );
    expect((await token({}, basic('lightning-bolt', SECRET))).body.error).toBe('invalid_request');
    const scope = await token(
      { grant_type: 'client_credentials', scope: 'schedules:write:cardiology' },
      basic('lightning-bolt', SECRET),
    );
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const both = await token(
      { grant_type: 'client_credentials', client_id: 'lightning-bolt', client_secret: SECRET },
      basic('lightning-bolt', SECRET),
    );
    expect(both.body.error).toBe('invalid_request');
    const json = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic('lightning-bolt', SECRET) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('/api/v1/schedules push', () => {
  it('an upsert then a delete reach the engine as deltas, done by push:<client>', async () => {
    const bearer = await accessToken();
    const up = await push('POST', '/api/v1/schedules/anesthesia/shifts', bearer, {
      shifts: [
        shift('LB-1', '2026-03-02T12:00:00Z', '2026-03-03T00:00:00Z', { notes: 'OB board' }),
        shift('LB-2', '2026-03-03T00:00:00Z', '2026-03-03T12:00:00Z', { published: false }),
      ],
    });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ status: 'applied', counts: { added: 2 } });
    const del = await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, {
      ids: ['LB-1', 'LB-1'],
    });
    expect(del.status).toBe(200);
    const one = await push('DELETE', '/api/v1/schedules/anesthesia/shifts/LB-2', bearer);
    expect(one.status).toBe(200);
    expect(pushes.map((p) => [p.source, p.actor, p.pull.mode])).toEqual([
      ['anesthesia', 'push:lightning-bolt', 'delta'],
      ['anesthesia', 'push:lightning-bolt', 'delta'],
      ['anesthesia', 'push:lightning-bolt', 'delta'],
    ]);
    const first = pushes[0].pull;
    expect(first.shifts).toEqual([
      {
        sourceId: 'LB-1',
        staff: { employeeId: 'E1001' },
        task: { taskId: 'ANES-OB' },
        start: new Date('2026-03-02T12:00:00Z'),
        end: new Date('2026-03-03T00:00:00Z'),
        notes: 'OB board',
        published: true,
        at: 'shift LB-1',
      },
      expect.objectContaining({ sourceId: 'LB-2', published: false }),
    ]);
    expect(pushes[1].pull).toMatchObject({ mode: 'delta', shifts: [], deleted: ['LB-1'] });
    expect(pushes[2].pull).toMatchObject({ mode: 'delta', shifts: [], deleted: ['LB-2'] });
  });

  it('a window replace reaches the engine as a window; a held one answers 202', async () => {
    const bearer = await accessToken();
    const r = await push('PUT', '/api/v1/schedules/hospitalists/window', bearer, {
      from: '2026-03-02T00:00:00Z',
      to: '2026-03-09T00:00:00Z',
      shifts: [shift('H-1', '2026-03-02T12:00:00Z', '2026-03-03T00:00:00Z')],
    });
    expect(r.status).toBe(200);
    expect(pushes[0].pull).toMatchObject({
      mode: 'window',
      from: new Date('2026-03-02T00:00:00Z'),
      to: new Date('2026-03-09T00:00:00Z'),
    });
    const held = await push('PUT', '/api/v1/schedules/hospitalists/window', bearer, {
      from: '2026-03-02T00:00:00Z',
      to: '2026-03-09T00:00:00Z',
      shifts: [],
    });
    expect(held).toMatchObject({ status: 202, body: { status: 'held' } });
  });

  it('refuses without a token, with a forged one, and with a token of the wrong scope (RFC 6750)', async () => {
    const body = { shifts: [shift('X', '2026-03-02T12:00:00Z', '2026-03-03T00:00:00Z')] };
    const none = await push('POST', '/api/v1/schedules/anesthesia/shifts', undefined, body);
    expect(none.status).toBe(401);
    expect(none.challenge).toMatch(/^Bearer realm="switchboard"/);
    expect(none.body.type).toBe('urn:switchboard:invalid-token');
    expect(none.type).toMatch(/application\/problem\+json/);
    const bearer = await accessToken('schedules:write:anesthesia');
    const forged = await push(
      'POST',
      '/api/v1/schedules/anesthesia/shifts',
      `${bearer.slice(0, -2)}xx`,
      body,
    );
    expect(forged.status).toBe(401);
    expect(forged.challenge).toContain('error="invalid_token"');
    const scope = await push('POST', '/api/v1/schedules/hospitalists/shifts', bearer, body);
    expect(scope.status).toBe(403);
    expect(scope.challenge).toContain('error="insufficient_scope"');
    expect(scope.challenge).toContain('scope="schedules:write:hospitalists"');
    expect(scope.body.type).toBe('urn:switchboard:insufficient-scope');
    // Another vendor's token cannot write a source only Lightning Bolt may.
    const other = await token({
      grant_type: 'client_credentials',
      client_id: 'other-vendor',
      client_secret: OTHER_SECRET,
    });
    const foreign = await push(
      'POST',
      '/api/v1/schedules/anesthesia/shifts',
      other.body.access_token as string,
      body,
    );
    expect(foreign.status).toBe(403);
    expect(pushes).toEqual([]);
  });

  it('a token expires after an hour; a new one is issued the same way', async () => {
    const bearer = await accessToken();
    const body = { ids: ['LB-9'] };
    now = new Date(now.getTime() + 3599_000);
    expect((await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, body)).status).toBe(200);
    now = new Date(now.getTime() + 1000);
    const expired = await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, body);
    expect(expired.status).toBe(401);
    expect(expired.challenge).toContain('error="invalid_token"');
    expect(expired.challenge).toContain('expired');
    const fresh = await accessToken();
    expect((await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', fresh, body)).status).toBe(200);
  });

  it('revoking the client, or giving it a new secret, stops its tokens at once', async () => {
    const bearer = await accessToken();
    const body = { ids: ['LB-9'] };
    const saved = clients;
    clients = saved.map((c) => (c.id === 'lightning-bolt' ? { ...c, enabled: false } : c));
    const revoked = await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, body);
    expect(revoked.status).toBe(401);
    expect((revoked.body.detail as string) ?? '').toContain('revoked');
    expect(
      (await token({ grant_type: 'client_credentials' }, basic('lightning-bolt', SECRET))).body.error,
    ).toBe('invalid_client');
    clients = saved.map((c) => (c.id === 'lightning-bolt' ? { ...c, secretHash: saved[1].secretHash } : c));
    expect((await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, body)).status).toBe(401);
    clients = saved;
    expect((await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, body)).status).toBe(200);
  });

  it('answers bad payloads with problem JSON listing every bad field, and applies nothing', async () => {
    const bearer = await accessToken();
    const bad = await push('POST', '/api/v1/schedules/anesthesia/shifts', bearer, {
      shifts: [
        { id: '', staff: {}, task: { taskId: { code: 7 } }, start: 'yesterday', end: '2026-03-03T00:00:00Z' },
        { staff: { employeeId: 'E1' }, task: { taskId: 'T' }, start: '2026-03-03T00:00:00Z' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('urn:switchboard:invalid-request');
    const keys = (bad.body.errors as Array<{ key: string }>).map((e) => e.key).sort();
    expect(keys).toEqual(
      [
        'shifts.0.id',
        'shifts.0.staff',
        'shifts.0.task.taskId',
        'shifts.0.start',
        'shifts.1.id',
        'shifts.1.end',
      ].sort(),
    );
    const order = await push('POST', '/api/v1/schedules/anesthesia/shifts', bearer, {
      shifts: [
        shift('A', '2026-03-03T00:00:00Z', '2026-03-02T00:00:00Z'),
        shift('B', '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z'),
        shift('B', '2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z'),
      ],
    });
    expect(order.body.errors).toEqual([
      { key: 'shifts.0.end', message: 'must be after start' },
      { key: 'shifts.2.id', message: 'repeats shifts.1.id' },
    ]);
    const window = await push('PUT', '/api/v1/schedules/anesthesia/window', bearer, {
      from: '2026-03-09T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
      shifts: [],
    });
    expect(window.body.errors).toEqual([{ key: 'to', message: 'must be after from' }]);
    const empty = await push('POST', '/api/v1/schedules/anesthesia/shifts', bearer, { shifts: [] });
    expect(empty.status).toBe(400);
    expect(pushes).toEqual([]);
  });

  it('a push the engine refuses as a whole is 422 problem JSON with its reason', async () => {
    const bearer = await accessToken();
    const r = await push('POST', '/api/v1/schedules/anesthesia/shifts/delete', bearer, {
      ids: ['DISK-FULL'],
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      type: 'urn:switchboard:push-refused',
      detail: 'the store could not write: SQLITE_FULL',
    });
  });

  it('a push to a source that is not a push source is 404', async () => {
    const saved = clients[0];
    clients[0] = { ...saved, sources: [...saved.sources, 'cardiology'] };
    try {
      const granted = await accessToken('schedules:write:cardiology');
      const r = await push('POST', '/api/v1/schedules/cardiology/shifts/delete', granted, { ids: ['x'] });
      expect(r.status).toBe(404);
    } finally {
      clients[0] = saved;
    }
    expect(pushes).toEqual([]);
  });

  it('is described in the OpenAPI document with the OAuth scheme', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown; requestBody?: { content: object } }>>;
      components: { securitySchemes: Record<string, { type: string; flows?: unknown }> };
    };
    expect(doc.components.securitySchemes.pushClient.type).toBe('oauth2');
    expect(doc.paths['/api/v1/schedules/{source}/shifts'].post.security).toEqual([{ pushClient: [] }]);
    expect(Object.keys(doc.paths['/oauth/token'].post.requestBody?.content ?? {})).toEqual([
      'application/x-www-form-urlencoded',
    ]);
    expect(doc.paths['/api/v1/schedules/{source}/window'].put).toBeTruthy();
    expect(doc.paths['/api/v1/schedules/{source}/shifts/{id}'].delete).toBeTruthy();
  });

  // A client that never got a token from this address (one that did is not locked out from it).
  it('locks a client id after ten wrong secrets: even the right one is refused until Retry-After, and the lock is audited', async () => {
    const form = (secret: string) => ({
      grant_type: 'client_credentials',
      client_id: 'new-vendor',
      client_secret: secret,
    });
    for (let i = 0; i < 9; i++) expect((await token(form(`guess-${i}`))).status).toBe(401);
    // The tenth wrong secret locks the client id.
    expect((await token(form('guess-9'))).status).toBe(429);
    const locked = await token(form(OTHER_SECRET));
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('invalid_client');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(audits).toEqual([
      {
        at: now,
        actor: 'system',
        action: 'push-client.lockout',
        subject: 'lockout:push-client:new-vendor',
        detail: expect.any(String),
      },
    ]);
  });
});
