/**
 * Two instances on one PostgreSQL behind a balancer that is not sticky: a single sign-on (OpenID Connect,
 * SAML, a SMART EHR launch) started on A finishes on B, and the state or request id it used is spent on
 * every instance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_SIGN_IN_LIMIT } from '../../src/api/sign-in-flows.ts';
import { type RunningSwitchboard, startSwitchboard } from '../../src/main.ts';
import { signingKey, startProvider, type TestProvider } from '../identity/oidc-provider.ts';
import { type IdpKeys, requestIdOf, samlResponse } from '../identity/saml-idp.ts';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';
import { FormBrowser } from '../support/form-browser.ts';
import { writeTestConfig } from '../support/harness.ts';
import {
  createTestSchema,
  dropTestSchema,
  postgresStoreEnv,
  sqlInSchema,
} from '../support/postgres-schema.ts';

const SAML_IDP = 'https://idp.hospital.test/saml';
const SAML_SP = 'https://switchboard.hospital.test/saml';
const SAML_ACS = 'https://switchboard.hospital.test/api/sign-in/saml/acs';

interface Instance {
  name: string;
  url: string;
  sb: RunningSwitchboard;
}

/** Sends each request to the next instance in turn, and notes which one served which path. */
interface Balancer {
  url: string;
  served: Array<{ path: string; by: string }>;
  /** Behind it from now on, the first one taking the next request. */
  point(instances: Instance[]): void;
  close(): Promise<void>;
}

const schema = await createTestSchema();
const folders: string[] = [];
const instances: Instance[] = [];
let balancer: Balancer;
let provider: TestProvider;
let certs: TestCerts;
let samlKeys: IdpKeys;
let ehr: Awaited<ReturnType<typeof startEhr>>;

beforeAll(async () => {
  balancer = await startBalancer();
  ehr = await startEhr();
  provider = await startProvider({
    clientId: 'switchboard',
    clientSecret: 'provider-secret',
    redirectUri: `${balancer.url}/api/sign-in/oidc/callback`,
    keys: [signingKey('key-1')],
  });
  certs = makeTestCerts();
  samlKeys = {
    cert: readFileSync(certs.caFile, 'utf8'),
    key: readFileSync(join(certs.dir, 'ca.key'), 'utf8'),
  };
  const configDir = writeTestConfig({
    'directory.yaml': `directory:
  people:
    - { id: p-kim, name: Nurse Kim, ids: { upn: kim@hospital.test, ehrUser: KIM01 }, contacts: [{ kind: app, address: kim }] }
  groups: []
`,
    'ehr.yaml': `ehr:
  launch:
    smart: { clientId: switchboard, issuers: [ '${ehr.url}/fhir' ] }
`,
    'idp.pem': samlKeys.cert,
    'identity.yaml': `identity:
  oidc:
    enabled: true
    issuer: ${provider.issuer}
    clientId: switchboard
    clientSecret: provider-secret
    redirectUri: ${balancer.url}/api/sign-in/oidc/callback
    roleMap: { nurses: clinician }
  saml:
    enabled: true
    entityId: ${SAML_SP}
    acsUrl: ${SAML_ACS}
    idpEntityId: ${SAML_IDP}
    idpSsoUrl: https://idp.hospital.test/sso
    idpCert: idp.pem
    rolesAttribute: role
    roleMap: { nurses: clinician }
`,
  });
  folders.push(configDir);
  for (const name of ['A', 'B']) {
    // Each instance has its own config folder and data folder, as on its own machine.
    const own = mkdtempSync(join(tmpdir(), `sb-sign-in-${name}-config-`));
    cpSync(configDir, own, { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), `sb-sign-in-${name}-data-`));
    folders.push(own, dataDir);
    const sb = await startSwitchboard({
      configDir: own,
      dataDir,
      env: postgresStoreEnv(schema),
      log: pino({ level: 'silent' }),
    });
    instances.push({ name, url: `http://127.0.0.1:${sb.http?.port}`, sb });
  }
});

afterAll(async () => {
  for (const i of instances) await i.sb.stop().catch(() => {});
  await balancer?.close();
  await provider?.close();
  await ehr?.close();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
  await dropTestSchema(schema);
});

const instance = (name: string) => instances.find((i) => i.name === name) as Instance;

describe('single sign-on across instances', () => {
  it('an OpenID Connect sign-in started on A finishes on B, and its state is then spent on A too', async () => {
    balancer.point(instances);
    const browser = new FormBrowser();
    const callback = await browser.until(
      `${balancer.url}/api/sign-in/oidc`,
      (url) => url.pathname === '/api/sign-in/oidc/callback',
      { login: 'kim', password: 'anything' },
    );
    const done = await browser.request(callback);
    expect(balancer.served).toEqual([
      { path: '/api/sign-in/oidc', by: 'A' },
      { path: '/api/sign-in/oidc/callback', by: 'B' },
    ]);
    expect(done.status).toBe(303);
    const session = sessionOf(done.location);
    expect(session.person).toMatchObject({ id: 'p-kim' });

    // The session B started is good on A.
    const onA = await fetch(`${instance('A').url}/api/alerts`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(onA.status).toBe(200);

    // The same callback again, on the instance that started the sign-in: refused, the state was used on B.
    const again = await browser.request(callback.replace(balancer.url, instance('A').url));
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toMatchObject({
      type: 'urn:switchboard:single-sign-on-failed',
      detail: 'unknown or expired sign-in (state); start again',
    });
  });

  it("a SAML Response to A's request is accepted on B, and that request answers no second Response", async () => {
    const start = await fetch(`${instance('A').url}/api/sign-in/saml`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const requestId = requestIdOf(start.headers.get('location') ?? '');

    const onB = await postSaml(instance('B'), requestId);
    expect(onB.status).toBe(303);
    expect(sessionOf(onB.location).person).toMatchObject({ id: 'p-kim' });

    // Another assertion (a new ID, so not a replay) for the same request: B spent the request id.
    const onA = await postSaml(instance('A'), requestId);
    expect(onA.status).toBe(401);
    expect(JSON.parse(onA.body).detail).toMatch(/answers no sign-in started here/);
  });

  it('a SMART launch started on A finishes on B with the PKCE verifier A made', async () => {
    balancer.point(instances);
    const browser = new FormBrowser();
    const iss = encodeURIComponent(`${ehr.url}/fhir`);
    const callback = await browser.until(
      `${balancer.url}/ehr/smart/launch?iss=${iss}&launch=launch-7`,
      (url) => url.pathname === '/ehr/smart/callback',
      {},
    );
    const done = await browser.request(callback);
    expect(balancer.served).toEqual([
      { path: '/ehr/smart/launch', by: 'A' },
      { path: '/ehr/smart/callback', by: 'B' },
    ]);
    expect(done.status, done.body).toBe(303);
    expect(sessionOf(done.location).person).toMatchObject({ id: 'p-kim' });
    expect(ehr.verified).toBe(1);

    const again = await browser.request(callback.replace(balancer.url, instance('A').url));
    expect(again.status).toBe(400);
    expect(again.body).toContain('This launch is unknown or has expired');
  });

  it('refuses to start a sign-in while the limit of its kind is under way (503 sign-in-busy), on every instance', async () => {
    const sql = sqlInSchema(schema);
    // Sign-ins someone started on the cluster and never finished, as many as the limit.
    await sql(
      `INSERT INTO sign_in_flows (kind, key, value, expires_at)
       SELECT 'oidc', 'unfinished-' || n, '{}', $1 FROM generate_series(1, $2) AS n`,
      [Date.now() + 5 * 60_000, OPEN_SIGN_IN_LIMIT],
    );
    for (const on of instances) {
      const res = await fetch(`${on.url}/api/sign-in/oidc`, { redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await res.json()).toMatchObject({ type: 'urn:switchboard:sign-in-busy' });
    }
    // SAML has a limit of its own.
    expect((await fetch(`${instance('A').url}/api/sign-in/saml`, { redirect: 'manual' })).status).toBe(302);

    await sql(`DELETE FROM sign_in_flows WHERE key LIKE 'unfinished-%'`);
    expect((await fetch(`${instance('B').url}/api/sign-in/oidc`, { redirect: 'manual' })).status).toBe(302);
  });
});

async function postSaml(to: Instance, inResponseTo: string) {
  const res = await fetch(`${to.url}/api/sign-in/saml/acs`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      SAMLResponse: samlResponse(samlKeys, {
        idpEntityId: SAML_IDP,
        audience: SAML_SP,
        recipient: SAML_ACS,
        nameId: 'kim@hospital.test',
        inResponseTo,
        attributes: { role: ['nurses'] },
      }),
      RelayState: '',
    }).toString(),
  });
  return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text() };
}

/** The session a sign-in hands the page in the URL fragment (`/#sso=…`). */
function sessionOf(location: string | undefined): { token: string; person: { id: string } | null } {
  const fragment = /#sso=([^&]+)/.exec(location ?? '')?.[1];
  if (!fragment) throw new Error(`no session in the redirect to ${location}`);
  return JSON.parse(Buffer.from(fragment, 'base64url').toString('utf8'));
}

/**
 * A SMART authorization server (public client, PKCE) for one user: it sends the browser back with a code,
 * and gives a token naming the user only for the verifier whose challenge it saw.
 */
async function startEhr() {
  const challenges = new Map<string, string>();
  let verified = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ehr.invalid');
    const json = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/fhir/.well-known/smart-configuration')
      return json(200, { authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token` });
    if (url.pathname === '/authorize') {
      const code = randomBytes(8).toString('hex');
      challenges.set(code, url.searchParams.get('code_challenge') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '' }).toString();
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(text);
        const challenge = challenges.get(form.get('code') ?? '');
        const sent = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (!challenge || sent !== challenge) return json(400, { error: 'invalid_grant' });
        verified++;
        json(200, { access_token: 'access-1', token_type: 'Bearer', fhirUser: 'Practitioner/KIM01' });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url: base,
    get verified() {
      return verified;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function startBalancer(): Promise<Balancer> {
  let behind: Instance[] = [];
  let next = 0;
  const served: Balancer['served'] = [];
  const server: Server = createServer((req, res) => {
    const to = behind[next++ % behind.length];
    if (!to) {
      res.writeHead(503).end();
      return;
    }
    served.push({ path: new URL(req.url ?? '/', 'http://balancer.invalid').pathname, by: to.name });
    const target = new URL(req.url ?? '/', to.url);
    const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    served,
    point(list) {
      behind = list;
      next = 0;
      served.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
