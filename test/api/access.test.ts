/**
 * Who can reach what, for every route the running server has: the route table is walked from the server
 * itself, so a route added later is covered (and must be added to ACCESS below) without anyone remembering.
 * Each route is tried by nobody, a clinician, an analyst and an admin, under many spellings of its path
 * (percent-encoded letters, %2F, double slashes, trailing slash, case, dot segments, `;` parameters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access, RouteAccess } from '../../src/api/access.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

const STAFF: Access = ['analyst', 'admin'];

/** The one place that says who may reach each route. Static pages (not /api, not /wctp) are all public. */
const ACCESS: Record<string, Access> = {
  'GET /api/health': 'public',
  'GET /api/health/live': 'public',
  'GET /api/health/ready': 'public',
  'GET /api/operations': STAFF,
  'GET /api/oncall/timeline': STAFF,
  'GET /api/openapi.json': 'public',
  // The API explorer (Swagger UI) and its copies of the document: as public as the document.
  'GET /api/docs': 'public',
  'HEAD /api/docs/': 'public',
  'GET /api/docs/json': 'public',
  'GET /api/docs/yaml': 'public',
  'GET /api/docs/static/*': 'public',
  'GET /api/docs/static/index.html': 'public',
  'GET /api/docs/static/swagger-initializer.js': 'public',
  'POST /api/session': 'public',
  'GET /api/ws': 'public',
  'POST /wctp': 'public',
  'GET /wctp': 'public',
  'PUT /wctp': 'public',
  'DELETE /wctp': 'public',
  'PATCH /wctp': 'public',
  'OPTIONS /wctp': 'public',
  'GET /api/conversations': 'signed-in',
  'POST /api/conversations': 'signed-in',
  'GET /api/conversations/:id': 'signed-in',
  'POST /api/conversations/:id/messages': 'signed-in',
  'POST /api/messages/:id/read': 'signed-in',
  'GET /api/recipients': 'signed-in',
  'GET /api/patients': 'signed-in',
  'GET /api/census-imports': STAFF,
  'POST /api/census-imports/:id/run': STAFF,
  'GET /api/patients/:mrn/ehr-links': 'signed-in',
  'GET /api/messages': STAFF,
  'GET /api/messages/:id': STAFF,
  'GET /api/deliveries': STAFF,
  'GET /api/connectors': STAFF,
  'GET /api/connectors/:id/deliveries': STAFF,
  'POST /api/connectors/:id/resync': STAFF,
  'POST /api/connectors/:id/redrive': STAFF,
  'POST /api/connectors/:id/feeds': STAFF,
  'GET /api/connectors/:id/feeds': STAFF,
  'DELETE /api/connectors/:id/feeds/:hash': STAFF,
  'GET /api/feeds/:token': 'public',
  'GET /api/rules': STAFF,
  'POST /api/rules/reload': STAFF,
  'POST /api/rules/dry-run': STAFF,
  'GET /api/rules/files': STAFF,
  'POST /api/rules/check': STAFF,
  'PUT /api/rules/files/:name': STAFF,
  'POST /api/rules/replay': STAFF,
  'GET /api/messages/:id/path': STAFF,
  'POST /api/messages/reprocess': STAFF,
  'POST /api/messages/export': STAFF,
  'POST /api/deliveries/:id/resend': STAFF,
  'GET /api/alerts': 'signed-in',
  'GET /api/alerts/:id': 'signed-in',
  'POST /api/alerts/:id/accept': 'signed-in',
  'POST /api/alerts/:id/reject': 'signed-in',
  'POST /api/alerts/:id/acknowledge': 'signed-in',
  'POST /api/alerts/:id/read': 'signed-in',
  'POST /api/alerts/:id/reply': 'signed-in',
  'POST /api/alerts/:id/call-back': 'signed-in',
  'GET /api/calls': 'signed-in',
  'GET /api/assignments': 'signed-in',
  'GET /api/oncall': 'signed-in',
  'GET /api/coverage': 'signed-in',
  'GET /api/coverage/gaps': 'signed-in',
  'GET /api/sources': STAFF,
  'POST /api/sources/:id/sync': STAFF,
  'POST /api/sources/:id/held/confirm': ['admin'],
  'GET /api/schedule-changes': STAFF,
  // A scheduling system's push carries its own OAuth token (src/api/schedule-push.ts); /oauth/token is
  // outside /api and counted with the pages.
  'POST /api/v1/schedules/:source/shifts': 'public',
  'POST /api/v1/schedules/:source/shifts/delete': 'public',
  'DELETE /api/v1/schedules/:source/shifts/:id': 'public',
  'PUT /api/v1/schedules/:source/window': 'public',
  'GET /api/patients/:mrn/care-team': 'signed-in',
  'GET /api/lockouts': ['admin'],
  'DELETE /api/lockouts/:kind/:key': ['admin'],
  'POST /api/sign-out': 'signed-in',
  'GET /api/people/:id/sessions': ['admin'],
  'DELETE /api/people/:id/sessions': ['admin'],
  'GET /api/sign-in/options': 'public',
  'GET /api/sign-in/oidc': 'public',
  'GET /api/sign-in/oidc/callback': 'public',
  'GET /api/sign-in/saml': 'public',
  'GET /api/sign-in/saml/metadata': 'public',
  'POST /api/sign-in/saml/acs': 'public',
  'POST /api/devices/:device/login': ['admin'],
  'POST /api/devices/:device/logout': ['admin'],
  'GET /api/devices/:device': ['admin'],
};

const ROLES = ['clinician', 'analyst', 'admin'] as const;
type Who = 'nobody' | (typeof ROLES)[number];

let sb: TestSwitchboard;
const tokens: Partial<Record<Who, string>> = {};

/** Routes that end the caller's own session: everyone signs in again after calling one. */
const ENDS_SESSION = new Set(['POST /api/sign-out']);

async function signInEveryone() {
  tokens.clinician = await signIn(sb.httpUrl, 'nurse');
  tokens.analyst = await signIn(sb.httpUrl, 'analyst');
  tokens.admin = await signIn(sb.httpUrl, 'admin');
}

beforeAll(async () => {
  const configDir = writeTestConfig();
  await writeTestAccounts(configDir, [
    { username: 'nurse', role: 'clinician' },
    { username: 'analyst', role: 'analyst' },
    { username: 'admin', role: 'admin' },
  ]);
  sb = await startTestSwitchboard({ configDir });
  await signInEveryone();
});
afterAll(async () => {
  await sb?.cleanup();
});

const routes = (): RouteAccess[] =>
  (sb.http?.routes ?? []).filter(
    (r) => r.method !== 'HEAD' || !sb.http?.routes.some((g) => g.url === r.url && g.method === 'GET'),
  );

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const isPage = (url: string) => !url.startsWith('/api') && url !== '/wctp';

/** A concrete path for a route pattern: parameters get plausible values. */
const concrete = (url: string) =>
  url
    .replace(/:id\b/g, '1')
    .replace(/:mrn\b/g, 'MRN1001')
    .replace(/:\w+/g, 'x');

/** Other spellings of the same path that a client, proxy or attacker might send. */
function spellings(path: string): string[] {
  const segments = path.split('/').slice(1);
  const out = new Set<string>([path]);
  segments.forEach((segment, i) => {
    const at = segment.search(/[a-z]/i);
    if (at < 0) return;
    const code = segment.charCodeAt(at).toString(16);
    for (const hex of [code, code.toUpperCase()]) {
      const encoded = `${segment.slice(0, at)}%${hex}${segment.slice(at + 1)}`;
      out.add(`/${segments.map((s, j) => (j === i ? encoded : s)).join('/')}`);
    }
    out.add(`/${segments.map((s, j) => (j === i ? s.toUpperCase() : s)).join('/')}`);
    out.add(`/${segments.map((s, j) => (j === i ? `${s};jsessionid=1` : s)).join('/')}`);
  });
  out.add(`${path}/`);
  out.add(`/${path}`);
  out.add(path.replace('/', '//').replace(/\/(?=[^/]*$)/, '//'));
  if (segments.length > 1) {
    out.add(`/${segments[0]}%2F${segments.slice(1).join('/')}`);
    out.add(`/${segments[0]}%2f${segments.slice(1).join('/')}`);
    out.add(`/${segments[0]}/./${segments.slice(1).join('/')}`);
    out.add(`/${segments[0]}/x/../${segments.slice(1).join('/')}`);
    out.add(`/${segments[0]}/%2e%2e/${segments.join('/')}`);
  }
  out.add(`/x/..${path}`);
  return [...out];
}

async function call(method: string, path: string, authorization?: string) {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  if (withBody) headers['content-type'] = 'application/json';
  // A redirect is an answer of the route itself (the API explorer sends its old page address on to the page).
  const res = await fetch(`${sb.httpUrl}${path}`, {
    method,
    headers,
    body: withBody ? '{}' : undefined,
    redirect: 'manual',
  });
  const text = await res.text();
  let type: string | undefined;
  try {
    type = (JSON.parse(text) as { type?: string }).type;
  } catch {}
  return { status: res.status, type, cache: res.headers.get('cache-control') };
}

const allowed = (access: Access, who: Who) =>
  access === 'public' || (who !== 'nobody' && (access === 'signed-in' || access.includes(who)));

describe('route access', () => {
  it('every route declares the access the table says, and the table names no route that is gone', () => {
    const table = routes();
    expect(table.length).toBeGreaterThan(20);
    const actual: Record<string, Access> = {};
    for (const r of table) if (!isPage(r.url)) actual[key(r)] = r.access;
    expect(actual).toEqual(ACCESS);
    for (const r of table.filter((t) => isPage(t.url))) expect(r.access, key(r)).toBe('public');
  });

  it('no spelling of a path lets anyone past the access of the route it names', async () => {
    const leaks: string[] = [];
    for (const route of routes()) {
      if (isPage(route.url) || route.method === 'OPTIONS') continue;
      const access = ACCESS[key(route)] ?? 'signed-in';
      const path = concrete(route.url);
      for (const who of ['nobody', ...ROLES] as Who[]) {
        const auth = who === 'nobody' ? undefined : `Bearer ${tokens[who]}`;
        const canonical = await call(route.method, path, auth);
        if (ENDS_SESSION.has(key(route))) await signInEveryone();
        if (allowed(access, who)) {
          // Past the gate: whatever the handler answers, it is not the gate's refusal.
          if (
            canonical.type === 'urn:switchboard:sign-in-required' ||
            canonical.type === 'urn:switchboard:role-required'
          )
            leaks.push(`${who} refused on ${route.method} ${path}: ${canonical.status}`);
          continue;
        }
        if (canonical.status !== (who === 'nobody' ? 401 : 403))
          leaks.push(`${who} ${route.method} ${path} → ${canonical.status}`);
        for (const spelled of spellings(path)) {
          const res = await call(route.method, spelled, auth);
          if (res.status < 400 || res.status >= 500)
            leaks.push(`${who} ${route.method} ${spelled} → ${res.status}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('a token is read from the Authorization header only, never from ?token= on the API', async () => {
    const res = await call('GET', `/api/messages?token=${tokens.admin}`);
    expect(res.status).toBe(401);
    expect((await call('GET', '/api/messages', `Bearer ${tokens.admin}`)).status).toBe(200);
    expect((await call('GET', '/api/messages', `bearer ${tokens.admin}`)).status).toBe(200);
  });

  it('a token with anything appended is refused', async () => {
    for (const tail of ['.x', '.', '..x', ' x', 'x']) {
      const res = await call('GET', '/api/alerts', `Bearer ${tokens.admin}${tail}`);
      expect(res.status, JSON.stringify(tail)).toBe(401);
    }
  });

  it('API answers are never cached; the pages revalidate', async () => {
    expect((await call('GET', '/api/messages', `Bearer ${tokens.analyst}`)).cache).toBe('no-store');
    expect((await call('GET', '/api/messages/999', `Bearer ${tokens.analyst}`)).cache).toBe('no-store');
    expect((await call('GET', '/api/alerts')).cache).toBe('no-store');
    expect((await call('GET', '/')).cache).toBe('no-cache');
  });

  it('a read is audited with the person who made it', async () => {
    await call('GET', '/api/patients/MRN1001/care-team', `Bearer ${tokens.clinician}`);
    const rows = await sb.store.audit.list({ limit: 10 });
    const read = rows.find((r) => r.action === 'patient.care-team');
    expect(read?.actor).toBe('nurse');
    expect(rows.some((r) => r.actor === 'unknown')).toBe(false);
  });
});
