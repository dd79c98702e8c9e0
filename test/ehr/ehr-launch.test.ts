/**
 * The page opened from inside the EHR, with the EHR's user and patient: a SMART App Launch 2 EHR launch
 * against a local authorization server and FHIR Patient endpoint that speak the handshake (discovery,
 * authorize with PKCE, token with patient and fhirUser), driven over HTTP and in Chromium; and the signed
 * launch link for EHRs without SMART (bad signature, expired, replayed, unlinked user all refused).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { hasChromium, launchChromium } from '../web/browser.ts';

const SECRET = 'a-shared-secret-of-the-ehr-launch';

/** A SMART authorization server and FHIR server in one, as small as the handshake allows. */
async function startEhr() {
  const app: FastifyInstance = Fastify();
  const codes = new Map<string, { challenge: string; redirectUri: string; launch: string }>();
  const seen: Array<Record<string, string>> = [];
  app.get('/fhir/.well-known/smart-configuration', async () => ({
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    capabilities: ['launch-ehr', 'client-public', 'context-ehr-patient'],
    code_challenge_methods_supported: ['S256'],
  }));
  app.get<{ Querystring: Record<string, string> }>('/authorize', async (req, reply) => {
    const q = req.query;
    seen.push(q);
    if (q.response_type !== 'code' || q.client_id !== 'switchboard' || q.code_challenge_method !== 'S256')
      return reply.code(400).send('bad authorize request');
    if (q.aud !== `${base}/fhir` || q.launch !== 'launch-123')
      return reply.code(400).send('bad aud or launch');
    const code = randomBytes(8).toString('hex');
    codes.set(code, { challenge: q.code_challenge!, redirectUri: q.redirect_uri!, launch: q.launch! });
    return reply.redirect(`${q.redirect_uri}?code=${code}&state=${q.state}`, 302);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post<{ Body: Record<string, string> }>('/token', async (req, reply) => {
    const b = req.body;
    const grant = codes.get(b.code ?? '');
    codes.delete(b.code ?? '');
    const verified =
      grant &&
      createHash('sha256')
        .update(b.code_verifier ?? '')
        .digest('base64url') === grant.challenge;
    if (!grant || !verified || b.redirect_uri !== grant.redirectUri || b.client_id !== 'switchboard')
      return reply.code(400).send({ error: 'invalid_grant' });
    return {
      access_token: 'access-1',
      token_type: 'Bearer',
      scope: 'launch openid fhirUser patient/Patient.read',
      patient: 'pat-1',
      fhirUser: `${base}/fhir/Practitioner/DRONE`,
    };
  });
  app.get('/fhir/Patient/pat-1', async (req, reply) => {
    if (req.headers.authorization !== 'Bearer access-1') return reply.code(401).send();
    return {
      resourceType: 'Patient',
      id: 'pat-1',
      identifier: [
        { type: { coding: [{ code: 'SS' }] }, value: '999-99-9999' },
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
          value: 'MRN77',
        },
      ],
    };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return { app, base, seen };
}

describe('opened from the EHR', () => {
  let sb: TestSwitchboard;
  let ehr: Awaited<ReturnType<typeof startEhr>>;
  let browser: Browser | undefined;

  beforeAll(async () => {
    ehr = await startEhr();
    const configDir = await writeBehaviourHospital();
    const directory = join(configDir, 'directory.yaml');
    writeFileSync(
      directory,
      readFileSync(directory, 'utf8').replace(
        '{ id: p-one, name: Dr. One, contacts:',
        '{ id: p-one, name: Dr. One, ids: { ehrUser: DRONE }, contacts:',
      ),
    );
    writeFileSync(
      join(configDir, 'ehr.yaml'),
      `ehr:
  launch:
    sharedSecret: \${EHR_LAUNCH_SECRET}
    frameAncestors: [ 'https://ehr.example.org' ]
    smart: { clientId: switchboard, issuers: [ '${ehr.base}/fhir' ] }
`,
    );
    sb = await startTestSwitchboard({
      configDir,
      env: { EHR_LAUNCH_SECRET: SECRET },
      clock: new ManualClock(new Date()),
      cycle: false,
    });
    const mllp = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await mllp.connect();
    const admit = [
      'MSH|^~\\&|ADT|RGH|SB|RGH|20261122090000||ADT^A01|EHR-ADMIT-1|P|2.5.1',
      'PID|1||MRN77^^^RGH^MR||DOE^JANE||19700501|F',
      'PV1|1|I|4W^401^A^RGH',
      '',
    ].join('\r');
    expect(await mllp.send(admit)).toContain('MSA|AA|');
    await mllp.close();
    await sb.settled();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sb?.cleanup();
    await ehr?.app.close();
  });

  const get = (path: string) =>
    fetch(path.startsWith('http') ? path : `${sb.httpUrl}${path}`, { redirect: 'manual' });
  const sessionOf = (location: string) => {
    const m = /#sso=([A-Za-z0-9_-]+)(?:&patient=(.*))?$/.exec(location);
    expect(m, location).not.toBeNull();
    return { ...JSON.parse(Buffer.from(m![1]!, 'base64url').toString()), patient: m![2] };
  };

  it('runs the SMART EHR launch: discovery, authorize with PKCE, token with fhirUser and patient, the MRN from FHIR', async () => {
    const launch = await get(
      `/ehr/smart/launch?iss=${encodeURIComponent(`${ehr.base}/fhir`)}&launch=launch-123`,
    );
    expect(launch.status).toBe(302);
    const authorize = await get(launch.headers.get('location')!);
    expect(authorize.status, await authorize.clone().text()).toBe(302);
    expect(ehr.seen.at(-1)).toMatchObject({
      scope: 'launch openid fhirUser patient/Patient.read',
      code_challenge_method: 'S256',
    });
    const callback = await get(authorize.headers.get('location')!);
    expect(callback.status, await callback.clone().text()).toBe(303);
    const session = sessionOf(callback.headers.get('location')!);
    expect(session).toMatchObject({
      role: 'clinician',
      person: { id: 'p-one', name: 'Dr. One' },
      patient: 'MRN77',
    });
    const mine = await fetch(`${sb.httpUrl}/api/conversations`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(mine.status).toBe(200);

    // The state is used once, and a FHIR server the site did not list cannot launch.
    expect((await get(authorize.headers.get('location')!)).status).toBe(400);
    const stranger = await get(
      `/ehr/smart/launch?iss=${encodeURIComponent('https://evil.example/fhir')}&launch=x`,
    );
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('is not one this site accepts');
  });

  it('accepts a signed launch link once, and refuses a bad signature, an expired link and an unlinked user', async () => {
    const link = (
      user: string,
      ts = Math.floor(Date.now() / 1000),
      nonce = randomBytes(6).toString('hex'),
      secret = SECRET,
    ) => {
      const sig = createHmac('sha256', secret).update(`${user}\nMRN77\n${ts}\n${nonce}`).digest('hex');
      return `/ehr/launch?user=${user}&patient=MRN77&ts=${ts}&nonce=${nonce}&sig=${sig}`;
    };
    const good = link('DRONE');
    const first = await get(good);
    expect(first.status).toBe(303);
    expect(sessionOf(first.headers.get('location')!)).toMatchObject({
      person: { id: 'p-one' },
      patient: 'MRN77',
    });
    const replay = await get(good);
    expect(replay.status).toBe(403);
    expect(await replay.text()).toContain('already used');
    expect((await get(link('DRONE', undefined, undefined, 'not-the-secret-at-all'))).status).toBe(403);
    const old = await get(link('DRONE', Math.floor(Date.now() / 1000) - 3600));
    expect(await old.text()).toContain('expired');
    const stranger = await get(link('NOBODY'));
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('Your EHR account (NOBODY) is not linked');
  });

  it('lets only the EHR frame the page', async () => {
    const page = await get('/');
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors https://ehr.example.org');
    expect(page.headers.get('x-frame-options')).toBeNull();
  });

  it.skipIf(!hasChromium)(
    'opens in the browser as the EHR user, ready to message about the EHR patient',
    async () => {
      browser = await launchChromium();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(
        `${sb.httpUrl}/ehr/smart/launch?iss=${encodeURIComponent(`${ehr.base}/fhir`)}&launch=launch-123`,
      );
      await page.locator('#compose-title').waitFor();
      await page.locator('.chosen', { hasText: 'Patient: DOE, JANE (MRN77) 4W 401-A' }).waitFor();
      expect(await page.locator('#who').textContent()).toContain('Dr. One');
      expect(page.url()).toMatch(/#compose$/);
    },
    60_000,
  );
});
