/**
 * OpenID Connect sign-in against a real provider (`oidc-provider`) on loopback, through its own login page
 * in Chromium: a good sign-in lands on the clinician page signed in; an ID token that is forged, expired
 * or for another audience is refused with a clear message; a rotated signing key is picked up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSwitchboard, startSwitchboard } from '../../src/main.ts';
import { writeTestConfig } from '../support/harness.ts';
import { hasChromium, launchChromium, noticeIfSkipped } from '../web/browser.ts';
import { jwtPayload, signingKey, signJwt, startProvider, type TestProvider } from './oidc-provider.ts';

const DIRECTORY = `directory:
  people:
    - { id: p-kim, name: Nurse Kim, ids: { upn: kim@hospital.test }, contacts: [{ kind: app, address: kim }] }
  groups: []
`;
const ADMIN_TOKEN = 'admin-token-for-the-oidc-test';
const key1 = signingKey('key-1');
const key2 = signingKey('key-2');
const attacker = signingKey('key-1');

/** What the test does to the ID token on its way from the provider's token endpoint. */
let tamper: ((idToken: string) => string) | undefined;
/** The key id of the last ID token the provider issued. */
let lastKid: string | undefined;

let provider: TestProvider;
let sb: RunningSwitchboard;
let base: string;
let browser: Browser;
let dataDir: string;
let configDir: string;

noticeIfSkipped('oidc');

beforeAll(async () => {
  // The provider must know our callback and we its issuer: take a free port for Switchboard first.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startProvider({
    clientId: 'switchboard',
    clientSecret: 'provider-secret',
    redirectUri: `${base}/api/sign-in/oidc/callback`,
    keys: [key1],
  });
  dataDir = mkdtempSync(join(tmpdir(), 'sb-oidc-'));
  sb = await start(provider.issuer, port);
  if (hasChromium) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sb?.stop();
  await provider?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(configDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function start(issuer: string, port: number): Promise<RunningSwitchboard> {
  configDir = writeTestConfig(
    {
      'directory.yaml': DIRECTORY,
      'tokens.yaml': `apiTokens:\n  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }\n`,
      'identity.yaml': `identity:
  oidc:
    enabled: true
    issuer: ${issuer}
    clientId: switchboard
    clientSecret: provider-secret
    redirectUri: ${base}/api/sign-in/oidc/callback
    roleMap: { nurses: clinician }
`,
    },
    '',
  );
  const yaml = readFileSync(join(configDir, 'switchboard.yaml'), 'utf8').replace(
    /http:\n {2}host: 127.0.0.1\n {2}port: 0/,
    `http:\n  host: 127.0.0.1\n  port: ${port}`,
  );
  writeFileSync(join(configDir, 'switchboard.yaml'), yaml);
  return startSwitchboard({
    configDir,
    dataDir,
    env: {},
    log: pino({ level: 'silent' }),
    oidcFetch: async (url, init) => {
      const res = await fetch(url, init as RequestInit);
      if (!String(url).endsWith('/token')) return res;
      const body = (await res.json()) as { id_token: string };
      lastKid = JSON.parse(Buffer.from(body.id_token.split('.')[0] ?? '', 'base64url').toString()).kid;
      if (tamper) body.id_token = tamper(body.id_token);
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    },
  });
}

/**
 * Through the provider's own pages: sign in as `login`, consent when asked. `fromPage` starts from the
 * clinician page's "Sign in with your hospital account" link instead of the sign-in URL.
 */
async function signInThroughProvider(page: Page, login: string, fromPage = false): Promise<void> {
  if (fromPage) {
    await page.goto(`${base}/`);
    await page.locator('#sso-oidc').click();
  } else await page.goto(`${base}/api/sign-in/oidc`);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('anything');
  await page.locator('button[type=submit]').click();
  await page.waitForLoadState();
  const consent = page.locator('button:has-text("Continue")');
  if (await consent.count()) await consent.click();
}

async function refusedWith(mutate: (idToken: string) => string): Promise<{ status: number; detail: string }> {
  tamper = mutate;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const callback = page.waitForResponse((r) => r.url().includes('/api/sign-in/oidc/callback'));
    await signInThroughProvider(page, 'kim');
    const res = await callback;
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe('urn:switchboard:single-sign-on-failed');
    return { status: res.status(), detail: body.detail };
  } finally {
    tamper = undefined;
    await context.close();
  }
}

async function signsInAsKim(fromPage = false): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signInThroughProvider(page, 'kim', fromPage);
    await page.waitForURL(`${base}/`);
    await expect.poll(() => page.locator('#who').textContent()).toBe('Signed in as Nurse Kim');
  } finally {
    await context.close();
  }
}

describe.skipIf(!hasChromium)('OpenID Connect sign-in', () => {
  it("signs in from the clinician page's link through the provider's page, landing signed in (oidc session)", async () => {
    await signsInAsKim(true);
    const res = await fetch(`${base}/api/people/p-kim/sessions`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { items } = (await res.json()) as { items: Array<{ method: string; username: string }> };
    expect(items[0]).toMatchObject({ method: 'oidc', username: 'kim@hospital.test' });
  });

  it("refuses an ID token signed with a key that is not the provider's (same key id)", async () => {
    const r = await refusedWith((t) => signJwt(jwtPayload(t), attacker.privateKey, 'key-1'));
    expect(r.status).toBe(401);
    expect(r.detail).toMatch(/signature/);
  });

  it("refuses an expired ID token, even signed with the provider's key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await refusedWith((t) =>
      signJwt({ ...jwtPayload(t), iat: now - 7200, exp: now - 3600 }, key1.privateKey, 'key-1'),
    );
    expect(r.status).toBe(401);
    expect(r.detail).toMatch(/exp/);
  });

  it('refuses an ID token for another audience', async () => {
    const r = await refusedWith((t) =>
      signJwt({ ...jwtPayload(t), aud: 'some-other-app' }, key1.privateKey, 'key-1'),
    );
    expect(r.status).toBe(401);
    expect(r.detail).toMatch(/aud/);
  });

  it('picks up a rotated signing key the first time a token uses it', async () => {
    provider.useKeys([key2, key1]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the one-fetch-a-second limit
    await signsInAsKim();
    expect(lastKid).toBe('key-2');
  });

  it('locks out an address that keeps sending bad callbacks (the sign-in limits apply)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push((await fetch(`${base}/api/sign-in/oidc/callback?state=guess-${i}&code=x`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});
