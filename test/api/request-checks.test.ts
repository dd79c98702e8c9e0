/**
 * What the API answers a request its route schema refuses: one 400 `invalid-request` listing every bad
 * field, named as the client sent it, and nothing internal (no stack, no schema path, no fastify names).
 * Also the answers to requests that cannot be read at all, and that every problem type is documented.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../src/api/problem.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  body: { type?: string; title?: string; errors?: Array<{ key: string; message: string }> };
}

let sb: TestSwitchboard;
let analyst: string;
let admin: string;

beforeAll(async () => {
  const configDir = writeTestConfig();
  await writeTestAccounts(configDir, [
    { username: 'analyst', role: 'analyst' },
    { username: 'admin', role: 'admin' },
  ]);
  sb = await startTestSwitchboard({ configDir });
  analyst = await signIn(sb.httpUrl, 'analyst');
  admin = await signIn(sb.httpUrl, 'admin');
});
afterAll(async () => {
  await sb?.cleanup();
});

async function call(
  path: string,
  init: { method?: string; token?: string; type?: string; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(`${sb.httpUrl}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, body: JSON.parse(text) };
}

const keys = (a: Answer) => (a.body.errors ?? []).map((e) => e.key).sort();
const messageOf = (a: Answer, key: string) => a.body.errors?.find((e) => e.key === key)?.message;

/** An answer that tells nothing of how the server is built. */
function expectNothingInternal(a: Answer) {
  expect(a.text).not.toMatch(
    /querystring|\/params|\/body|instancePath|schemaPath|FST_|at .*\.ts|node_modules/,
  );
}

describe('a request its schema refuses', () => {
  it('lists every bad query parameter at once, by the name the client sent', async () => {
    const a = await call('/api/messages?limit=abc&offset=-1&status=lost&since=yesterday&until=2026-13-01', {
      token: analyst,
    });
    expect(a.status).toBe(400);
    expect(a.contentType).toContain('application/problem+json');
    expect(a.body.type).toBe('urn:switchboard:invalid-request');
    expect(keys(a)).toEqual(['limit', 'offset', 'since', 'status', 'until']);
    expect(messageOf(a, 'limit')).toBe('must be a whole number');
    expect(messageOf(a, 'offset')).toBe('must be at least 0');
    expect(messageOf(a, 'status')).toBe('must be one of received, routed, filtered, unrouted, failed');
    expect(messageOf(a, 'since')).toMatch(/date-time with its zone/);
    expectNothingInternal(a);
  });

  it('an unknown value of an enum names the values there are', async () => {
    const deliveries = await call('/api/deliveries?state=lost&alert=x&limit=5000', { token: analyst });
    expect(deliveries.status).toBe(400);
    expect(keys(deliveries)).toEqual(['alert', 'limit', 'state']);
    expect(messageOf(deliveries, 'state')).toBe('must be one of pending, sent, dead');
    expect(messageOf(deliveries, 'limit')).toBe('must be at most 1000');
    const alerts = await call('/api/alerts?status=forgotten', { token: analyst });
    expect(alerts.status).toBe(400);
    expect(alerts.body.errors).toEqual([
      { key: 'status', message: 'must be one of open, acknowledged, closed' },
    ]);
  });

  it('a wrong type in a path parameter is a 400 naming the parameter, not a 404', async () => {
    for (const path of ['/api/alerts/abc', '/api/messages/1.5', '/api/messages/0']) {
      const a = await call(path, { token: analyst });
      expect(a.status, path).toBe(400);
      expect(a.body.type, path).toBe('urn:switchboard:invalid-request');
      expect(keys(a), path).toEqual(['id']);
      expectNothingInternal(a);
    }
    const answer = await call('/api/alerts/abc/accept', {
      method: 'POST',
      token: analyst,
      type: 'application/json',
      body: '{}',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ key: 'id', message: 'must be a whole number' }]);
    // A good id of nothing stored is still a 404.
    const missing = await call('/api/messages/424242', { token: analyst });
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('urn:switchboard:not-found');
  });

  it('lists every bad field of a JSON body', async () => {
    const session = await call('/api/session', { method: 'POST', type: 'application/json', body: '{}' });
    expect(session.status).toBe(400);
    expect(session.body.errors).toEqual([
      { key: 'username', message: 'is required' },
      { key: 'password', message: 'is required' },
    ]);
    const dryRun = await call('/api/rules/dry-run', {
      method: 'POST',
      token: analyst,
      type: 'application/json',
      body: JSON.stringify({ message: '', at: 'tomorrow morning' }),
    });
    expect(dryRun.status).toBe(400);
    expect(keys(dryRun)).toEqual(['at', 'message']);
    expect(messageOf(dryRun, 'message')).toBe('must not be empty');
    const noBody = await call('/api/rules/dry-run', { method: 'POST', token: analyst });
    expect(noBody.status).toBe(400);
    expect(keys(noBody)).toEqual(['body']);
    const notAnObject = await call('/api/session', { method: 'POST', type: 'application/json', body: '[1]' });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.errors).toEqual([{ key: 'body', message: 'must be object' }]);
  });

  it('a check across fields answers the same way', async () => {
    const a = await call('/api/coverage?from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z', {
      token: analyst,
    });
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({
      type: 'urn:switchboard:invalid-request',
      errors: [{ key: 'to', message: 'must be after from' }],
    });
  });

  it('a parameter left empty by a form is taken as not given', async () => {
    const a = await call('/api/messages?since=&status=&limit=', { token: analyst });
    expect(a.status).toBe(200);
    const oncall = await call('/api/oncall?at=', { token: analyst });
    expect(oncall.status).toBe(200);
  });

  it('numbers in a query string are read as numbers', async () => {
    const a = await call('/api/messages?limit=0&offset=3', { token: analyst });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ items: [], total: 0 });
  });
});

describe('a request that cannot be read', () => {
  it('malformed JSON, a media type no route takes, an undecodable path, a path no route has', async () => {
    const json = await call('/api/session', {
      method: 'POST',
      type: 'application/json',
      body: '{"username":',
    });
    expect(json.status).toBe(400);
    expect(json.body.type).toBe('urn:switchboard:malformed-request');
    const xml = await call('/api/session', { method: 'POST', type: 'application/xml', body: '<x/>' });
    expect(xml.status).toBe(415);
    expect(xml.body.type).toBe('urn:switchboard:unsupported-media-type');
    const url = await call('/api/patients/%E0%A4%A/care-team', { token: analyst });
    expect(url.status).toBe(400);
    expect(url.body.type).toBe('urn:switchboard:malformed-request');
    const route = await call('/api/nothing-here', { token: analyst });
    expect(route.status).toBe(404);
    expect(route.body.type).toBe('urn:switchboard:no-route');
    for (const a of [json, xml, url, route]) {
      expect(a.contentType).toContain('application/problem+json');
      expectNothingInternal(a);
    }
  });

  it('the server keeps serving after each of them', async () => {
    expect((await call('/api/lockouts', { token: admin })).status).toBe(200);
  });
});

describe('problem types', () => {
  const doc = readFileSync(new URL('../../docs/api-errors.md', import.meta.url), 'utf8');

  it('every problem type the API can answer is documented in docs/api-errors.md', () => {
    const missing = Object.values(PROBLEM_TYPES).filter((type) => !doc.includes(`\`${type}\``));
    expect(missing).toEqual([]);
  });

  it('the document lists no type the API does not have', () => {
    const documented = [...doc.matchAll(/`(urn:switchboard:[a-z-]+)`/g)].map((m) => m[1]);
    const known = new Set<string>(Object.values(PROBLEM_TYPES));
    expect(documented.filter((t) => !known.has(t as string))).toEqual([]);
  });
});
