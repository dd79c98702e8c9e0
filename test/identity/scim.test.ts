/**
 * SCIM 2.0 provisioning over the real API, with the requests Microsoft Entra's provisioning service sends
 * (its documented test sequence: look up by userName, create, PATCH replace/add/remove, groups with
 * members, deactivate, delete), and what a deactivation does: sessions gone within a second, the open page
 * closed, no further routing, and the person's coming shift reported as a coverage gap.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

const ENTRA_TOKEN = 'entra-provisioning-secret-token';
const ADMIN_TOKEN = 'admin-token-for-the-scim-test';
const sha256 = (t: string) => createHash('sha256').update(t).digest('hex');

const DIRECTORY = `directory:
  people:
    - { id: p-kim, name: Nurse Kim, ids: { upn: kim@hospital.test }, contacts: [{ kind: app, address: rn.kim }] }
    - { id: p-op, name: Operator, contacts: [{ kind: app, address: op }] }
  groups:
    - { id: operators, name: Operators, members: [p-op] }
`;

let sb: TestSwitchboard;
let scim: string;

beforeAll(async () => {
  const configDir = writeTestConfig(
    {
      'directory.yaml': DIRECTORY,
      'schedules.yaml':
        'schedules:\n  assignments:\n    - { id: icu-charge, name: ICU charge nurse, type: oncall }\n',
      'tokens.yaml': `apiTokens:\n  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }\n`,
      'identity.yaml': `identity:
  scim:
    enabled: true
    clients: [{ name: entra, tokenSha256: ${sha256(ENTRA_TOKEN)} }]
    groupRoles: { Switchboard Admins: admin }
`,
    },
    'routing:\n  failsafeGroup: operators\n',
  );
  await writeTestAccounts(configDir, [{ username: 'rn.kim', role: 'clinician', person: 'p-kim' }]);
  sb = await startTestSwitchboard({ configDir });
  scim = `${sb.httpUrl}/scim/v2`;
});
afterAll(async () => {
  await sb?.cleanup();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${scim}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ENTRA_TOKEN}`,
      ...(body ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    type: res.headers.get('content-type'),
    // biome-ignore lint/suspicious/noExplicitAny: SCIM answers are read field by field in the assertions
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

const patchOp = (Operations: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations,
});

const testUser = (userName: string, externalId: string, [givenName, familyName] = ['Ana', 'Diaz']) => ({
  schemas: [
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ],
  externalId,
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: userName }],
  meta: { resourceType: 'User' },
  name: { formatted: `${givenName} ${familyName}`, familyName, givenName },
  roles: [],
});

describe('SCIM as Microsoft Entra provisions', () => {
  let anaId: string;

  it('refuses a request without a client token, in SCIM error JSON', async () => {
    const res = await fetch(`${scim}/Users`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
  });

  it('looks the user up by userName, creates them, and finds them by the same filter', async () => {
    const none = await call('GET', '/Users?filter=userName+eq+%22ana.diaz%40hospital.test%22');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await call('POST', '/Users', testUser('ana.diaz@hospital.test', 'e0b4f1c2'));
    expect(created.status).toBe(201);
    expect(created.type).toMatch(/application\/scim\+json/);
    expect(created.body).toMatchObject({
      userName: 'ana.diaz@hospital.test',
      externalId: 'e0b4f1c2',
      active: true,
    });
    expect(created.etag).toMatch(/^W\/"\d+"$/);
    expect(created.body?.meta).toMatchObject({ resourceType: 'User', version: created.etag });
    anaId = created.body?.id;
    expect(sb.site.directory.person(anaId)).toMatchObject({
      name: 'Ana Diaz',
      ids: { upn: 'ana.diaz@hospital.test' },
      contacts: [{ kind: 'email', address: 'ana.diaz@hospital.test', label: 'work' }],
    });

    const again = await call('POST', '/Users', testUser('ANA.DIAZ@hospital.test', 'other'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ scimType: 'uniqueness' });

    const found = await call('GET', '/Users?filter=userName+eq+%22ana.diaz%40hospital.test%22');
    expect(found.body?.totalResults).toBe(1);
    expect(found.body?.Resources[0].id).toBe(anaId);
  });

  it('applies PATCH replace, add and remove to the directory person', async () => {
    const res = await call(
      'PATCH',
      `/Users/${anaId}`,
      patchOp([
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ana@hospital.test' },
        { op: 'Replace', path: 'name.familyName', value: 'Diaz-Ruiz' },
        { op: 'Add', path: 'phoneNumbers[type eq "pager"].value', value: '617-555-0142' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 617 555 0199' },
        {
          op: 'Add',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
          value: 'E777',
        },
        { op: 'Add', path: 'title', value: 'RN' },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body?.name).toMatchObject({ familyName: 'Diaz-Ruiz' });
    const removed = await call(
      'PATCH',
      `/Users/${anaId}`,
      patchOp([{ op: 'Remove', path: 'phoneNumbers[type eq "mobile"]' }]),
    );
    expect(removed.status).toBe(200);
    const person = sb.site.directory.person(anaId);
    expect(person).toMatchObject({ title: 'RN', ids: { employeeId: 'E777' } });
    expect(person?.contacts.map((c) => `${c.kind} ${c.address}`)).toEqual([
      'email ana@hospital.test',
      'pager 617-555-0142',
    ]);
    expect(sb.site.directory.findByPagerNumber('6175550142').people.map((p) => p.id)).toEqual([anaId]);
  });

  it('answers If-Match with a stale version 412, and filters with co, sw, and/or', async () => {
    const stale = await call(
      'PATCH',
      `/Users/${anaId}`,
      patchOp([{ op: 'Replace', path: 'title', value: 'x' }]),
      {
        'if-match': 'W/"1"',
      },
    );
    expect(stale.status).toBe(412);
    const co = await call(
      'GET',
      `/Users?filter=${encodeURIComponent('userName co "diaz" and title eq "RN"')}`,
    );
    expect(co.body?.totalResults).toBe(1);
    const sw = await call(
      'GET',
      `/Users?filter=${encodeURIComponent('userName sw "zz" or externalId eq "e0b4f1c2"')}`,
    );
    expect(sw.body?.totalResults).toBe(1);
    const bad = await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('pages with startIndex and count', async () => {
    for (const n of [1, 2, 3]) await call('POST', '/Users', testUser(`temp${n}@hospital.test`, `t${n}`));
    const page = await call('GET', '/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
  });

  it('keeps groups with members, adding and removing members as Entra sends them', async () => {
    const g = await call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      externalId: 'grp-1',
      displayName: 'Switchboard Admins',
      meta: { resourceType: 'Group' },
    });
    expect(g.status).toBe(201);
    const lookup = await call(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Switchboard Admins"')}`,
    );
    expect(lookup.body?.Resources[0]).toMatchObject({ id: g.body?.id, displayName: 'Switchboard Admins' });
    expect(lookup.body?.Resources[0].members).toBeUndefined();
    const added = await call(
      'PATCH',
      `/Groups/${g.body?.id}`,
      patchOp([{ op: 'Add', path: 'members', value: [{ value: anaId }] }]),
    );
    expect(added.body?.members).toEqual([{ value: anaId, display: 'Ana Diaz', type: 'User' }]);
    expect(sb.site.directory.group(g.body?.id)?.members).toEqual([anaId]);
    const removed = await call(
      'PATCH',
      `/Groups/${g.body?.id}`,
      patchOp([{ op: 'Remove', path: 'members', value: [{ value: anaId }] }]),
    );
    expect(removed.body?.members).toEqual([]);
  });

  it('a user whose userName is a person of the directory file is that person, not a copy', async () => {
    const kim = await call('POST', '/Users', testUser('kim@hospital.test', 'kim-ext', ['Nurse', 'Kim']));
    expect(kim.status).toBe(201);
    expect(kim.body?.id).toBe('p-kim');
  });
});

describe('deactivating a person through SCIM', () => {
  it('ends their sessions within a second, closes their page, stops routing, and reports their shift as a gap', async () => {
    const now = Date.now();
    await sb.store.schedules.replaceShifts('test', [
      {
        id: 'kim-today',
        assignmentId: 'icu-charge',
        personId: 'p-kim',
        start: new Date(now - 3600_000),
        end: new Date(now + 8 * 3600_000),
        callOrder: 1,
        notes: '',
        published: true,
        source: 'test',
      },
    ]);
    const token = await signIn(sb.httpUrl, 'rn.kim');
    const ws = new WebSocket(`${sb.httpUrl.replace('http', 'ws')}/api/ws?token=${token}`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('message', resolve));
    expect(sb.site.directory.isReachable('p-kim')).toBe(true);

    const t0 = Date.now();
    const off = await call(
      'PATCH',
      '/Users/p-kim',
      patchOp([{ op: 'Replace', path: 'active', value: 'False' }]),
    );
    expect(off.status).toBe(200);
    expect(off.body?.active).toBe(false);
    expect(await closed).toBe(4401);
    const after = await fetch(`${sb.httpUrl}/api/alerts`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(1000);

    expect(sb.site.directory.isReachable('p-kim')).toBe(false);
    expect(sb.site.directory.findByExternalId('upn', 'kim@hospital.test')).toBeUndefined();
    expect(sb.site.directory.person('p-kim')?.name).toBe('Nurse Kim'); // still named on timelines
    const [audit] = await sb.store.audit.list({ subject: 'person:p-kim' });
    expect(audit).toMatchObject({ action: 'directory.deactivate', actor: 'scim:entra' });
    expect(audit?.detail).toMatch(/1 session\(s\) ended.*uncovered in the next 14 days: ICU charge nurse/);
    const warned = await sb.store.alerts.list({ personId: 'p-op' });
    expect(warned.map((a) => a.title)).toContain(
      'Nurse Kim was deactivated: 1 coming shift(s) have nobody on call',
    );
    // Still on the schedule, but no longer a recipient: an on-call page finds nobody and says why.
    const paged = await sb.routing.alerts.raise({
      messageId: null,
      source: 'test',
      ruleId: 'test',
      title: 'ICU charge needed',
      body: 'ICU charge needed',
      priority: 'high',
      recipients: [
        { kind: 'onCall', assignment: 'icu-charge', order: 'first', at: { file: 'test', key: 'test' } },
      ],
      reasons: ['test'],
    });
    expect((await sb.store.alerts.recipients(paged.id)).map((r) => r.personId)).not.toContain('p-kim');
    const timeline = await sb.store.alerts.timeline(paged.id);
    expect(JSON.stringify(timeline)).toContain('Nurse Kim is deactivated and was left out');
    // The password still matches, but the person is deactivated: no new session.
    const signedIn = await signIn(sb.httpUrl, 'rn.kim').catch((err: Error) => err.message);
    expect(signedIn).toMatch(/failed: 403/);
  });

  it('DELETE deactivates and unlists the user', async () => {
    const u = await call('POST', '/Users', testUser('leaving@hospital.test', 'leaving'));
    expect((await call('DELETE', `/Users/${u.body?.id}`)).status).toBe(204);
    expect((await call('GET', `/Users/${u.body?.id}`)).status).toBe(404);
    expect(sb.site.directory.person(u.body?.id)?.deactivated).toBe(true);
  });
});
