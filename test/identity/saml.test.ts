/**
 * SAML 2.0 sign-in against an identity provider the test builds (its own key, assertions signed with
 * xml-crypto): a good sign-in, and each bad response refused with a clear message: unsigned, for another
 * audience, replayed, expired, for another recipient, unsolicited (IdP-initiated, off by default).
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';
import { startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';
import { type AssertionSpec, type IdpKeys, requestIdOf, samlResponse } from './saml-idp.ts';

const IDP = 'https://idp.hospital.test/saml';
const SP = 'https://switchboard.hospital.test/saml';
const ADMIN_TOKEN = 'admin-token-for-the-saml-test';
const SCIM_TOKEN = 'scim-token-for-the-saml-test';

let certs: TestCerts;
let keys: IdpKeys;
let sb: TestSwitchboard;
let acs: string;

beforeAll(async () => {
  certs = makeTestCerts();
  keys = { cert: readFileSync(certs.caFile, 'utf8'), key: readFileSync(join(certs.dir, 'ca.key'), 'utf8') };
  // The ACS URL must be ours; Switchboard's port is not known before it starts, so a placeholder host
  // that the assertions name is used, and the tests post to the real address.
  acs = 'https://switchboard.hospital.test/api/sign-in/saml/acs';
  const configDir = writeTestConfig({
    'directory.yaml': `directory:
  people:
    - { id: p-kim, name: Nurse Kim, ids: { upn: kim@hospital.test }, contacts: [{ kind: app, address: kim }] }
  groups: []
`,
    'tokens.yaml': `apiTokens:\n  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }\n`,
    'idp.pem': keys.cert,
    'identity.yaml': `identity:
  saml:
    enabled: true
    entityId: ${SP}
    acsUrl: ${acs}
    idpEntityId: ${IDP}
    idpSsoUrl: https://idp.hospital.test/sso
    idpCert: idp.pem
    rolesAttribute: role
    roleMap: { nurses: clinician }
  scim:
    enabled: true
    clients: [{ name: entra, tokenSha256: ${createHash('sha256').update(SCIM_TOKEN).digest('hex')} }]
    groupRoles: { Switchboard Admins: admin }
`,
  });
  sb = await startTestSwitchboard({ configDir });
});
afterAll(async () => {
  await sb?.cleanup();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

/** Starts a sign-in here and returns the id of the request the IdP must answer. */
async function startSignIn(): Promise<string> {
  const res = await fetch(`${sb.httpUrl}/api/sign-in/saml`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location') ?? '';
  expect(location.startsWith('https://idp.hospital.test/sso?SAMLRequest=')).toBe(true);
  return requestIdOf(location);
}

function good(inResponseTo: string | undefined, over: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    idpEntityId: IDP,
    audience: SP,
    recipient: acs,
    nameId: 'kim@hospital.test',
    inResponseTo,
    attributes: { role: ['nurses'] },
    ...over,
  };
}

async function post(samlResponseB64: string) {
  const res = await fetch(`${sb.httpUrl}/api/sign-in/saml/acs`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: samlResponseB64, RelayState: '' }).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    location: res.headers.get('location'),
    problem: text ? (JSON.parse(text) as { type: string; detail: string }) : undefined,
  };
}

async function refused(response: string): Promise<string> {
  const r = await post(response);
  expect(r.status).toBe(401);
  expect(r.problem?.type).toBe('urn:switchboard:single-sign-on-failed');
  return r.problem?.detail ?? '';
}

describe('SAML 2.0 sign-in', () => {
  it('serves SP metadata naming our entity id and ACS', async () => {
    const res = await fetch(`${sb.httpUrl}/api/sign-in/saml/metadata`);
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain(`entityID="${SP}"`);
    expect(xml).toContain(`Location="${acs}"`);
  });

  it('signs in with a signed assertion that answers our request', async () => {
    const r = await post(samlResponse(keys, good(await startSignIn())));
    expect(r.status).toBe(303);
    expect(r.location).toMatch(/^\/#sso=/);
    const session = JSON.parse(Buffer.from(r.location!.slice('/#sso='.length), 'base64url').toString());
    expect(session).toMatchObject({ role: 'clinician', person: { id: 'p-kim', name: 'Nurse Kim' } });
    const alerts = await fetch(`${sb.httpUrl}/api/alerts`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(alerts.status).toBe(200);
  });

  it('refuses an unsigned assertion', async () => {
    expect(await refused(samlResponse(keys, good(await startSignIn(), { sign: false })))).toMatch(
      /not signed by the identity provider/,
    );
  });

  it('refuses an assertion for another audience', async () => {
    expect(
      await refused(samlResponse(keys, good(await startSignIn(), { audience: 'https://other.app' }))),
    ).toMatch(/another service.*audience/);
  });

  it('refuses a replayed assertion', async () => {
    const once = samlResponse(keys, good(await startSignIn()));
    expect((await post(once)).status).toBe(303);
    expect(await refused(once)).toMatch(/already used|answers no sign-in/);
  });

  it('refuses an unsolicited (IdP-initiated) response: off by default', async () => {
    expect(await refused(samlResponse(keys, good(undefined)))).toMatch(/answers no sign-in started here/);
  });

  it('where IdP-initiated sign-in is allowed, still refuses a replay: the assertion id is remembered', async () => {
    const configDir = writeTestConfig({
      'directory.yaml':
        'directory:\n  people:\n    - { id: p-kim, name: Nurse Kim, ids: { upn: kim@hospital.test } }\n  groups: []\n',
      'idp.pem': keys.cert,
      'identity.yaml': `identity:
  saml:
    enabled: true
    entityId: ${SP}
    acsUrl: ${acs}
    idpEntityId: ${IDP}
    idpSsoUrl: https://idp.hospital.test/sso
    idpCert: idp.pem
    allowIdpInitiated: true
    rolesAttribute: role
    roleMap: { nurses: clinician }
`,
    });
    const open = await startTestSwitchboard({ configDir });
    try {
      const once = samlResponse(keys, good(undefined));
      const send = () =>
        fetch(`${open.httpUrl}/api/sign-in/saml/acs`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ SAMLResponse: once }).toString(),
        });
      expect((await send()).status).toBe(303);
      const replay = await send();
      expect(replay.status).toBe(401);
      expect(((await replay.json()) as { detail: string }).detail).toMatch(/already used \(a replay\)/);
    } finally {
      await open.cleanup();
    }
  });

  it('refuses an expired assertion', async () => {
    expect(await refused(samlResponse(keys, good(await startSignIn(), { validForSeconds: -600 })))).toMatch(
      /expired/,
    );
  });

  it('refuses an assertion for another recipient', async () => {
    expect(
      await refused(samlResponse(keys, good(await startSignIn(), { recipient: 'https://evil.test/acs' }))),
    ).toMatch(/recipient|destination/);
  });

  it("refuses an assertion signed by a key that is not the IdP's", async () => {
    const other = makeTestCerts();
    try {
      const forged = {
        cert: readFileSync(other.caFile, 'utf8'),
        key: readFileSync(join(other.dir, 'ca.key'), 'utf8'),
      };
      expect(await refused(samlResponse(forged, good(await startSignIn())))).toMatch(
        /not signed by the identity provider/,
      );
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('grants the role of a group provisioned over SCIM that the person is a member of', async () => {
    const scim = (path: string, body: unknown) =>
      fetch(`${sb.httpUrl}/scim/v2${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string }>);
    const kim = await scim('/Users', { userName: 'kim@hospital.test', name: { formatted: 'Nurse Kim' } });
    await scim('/Groups', { displayName: 'Switchboard Admins', members: [{ value: kim.id }] });
    const r = await post(samlResponse(keys, good(await startSignIn(), { attributes: { role: [] } })));
    expect(r.status).toBe(303);
    const session = JSON.parse(Buffer.from(r.location!.slice('/#sso='.length), 'base64url').toString());
    expect(session).toMatchObject({ role: 'admin', person: { id: 'p-kim' } });
  });
});
