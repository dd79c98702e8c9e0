import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, noticeIfSkipped, openPage, type WatchedPage } from './browser.ts';
import { FakeSwitchboard } from './fake-switchboard.ts';

// The page in a real browser against a scripted server that speaks docs/websocket.md. Every step waits for
// what a clinician would see; nothing here depends on how fast it happens.

noticeIfSkipped('clinician page (fake server)');

const POTASSIUM = {
  title: 'Critical Potassium: 2.7 mmol/L',
  body: 'NAKAMURA, ELENA (MRN300217) 5E 512-B',
  priority: 'urgent' as const,
  patient: { mrn: 'MRN300217', name: 'NAKAMURA, ELENA', location: '5E 512-B' },
};

describe.skipIf(!hasChromium)('clinician page against a scripted server', () => {
  let browser: Browser;
  let server: FakeSwitchboard;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    server = await new FakeSwitchboard().start();
    watched = await openPage(browser);
    page = watched.page;
  });
  afterEach(async () => {
    await watched.context.close();
    await server.stop();
    expect(watched.problems).toEqual([]);
  });

  const signIn = async () => {
    await page.goto(server.url);
    await page.getByLabel('Username').fill(FakeSwitchboard.username);
    await page.getByLabel('Password').fill(FakeSwitchboard.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
  };
  const row = (id: number) => page.locator(`#alert-list li[data-id="${id}"]`);
  const sent = (type: string, alertId?: number) =>
    server.received.filter((f) => f.type === type && (alertId === undefined || f.alertId === alertId));

  it('refuses a wrong password in plain words and keeps the form', async () => {
    await page.goto(server.url);
    await page.getByLabel('Username').fill(FakeSwitchboard.username);
    await page.getByLabel('Password').fill('guess');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error', { hasText: 'not recognised' }).waitFor();
    await page.screenshot({ path: '/tmp/switchboard-page-sign-in.png' });
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#app-bar').isVisible()).toBe(false);
  });

  it('receives, announces, sounds, shows and answers alerts through a shift', async () => {
    await signIn();
    expect(await page.locator('#who').textContent()).toContain(FakeSwitchboard.person.name);
    expect(await page.locator('#empty').isVisible()).toBe(true);
    await expect.poll(() => sent('hello').length).toBe(1);

    // An urgent result arrives: listed with its priority in words, announced, sounded, marked delivered.
    server.raise({ id: 101, ...POTASSIUM });
    await row(101).waitFor();
    expect(await row(101).locator('.badge').textContent()).toBe('Urgent');
    await row(101).locator('.card-state', { hasText: 'Delivered' }).waitFor();
    await page.locator('#announcer', { hasText: 'New urgent alert: Critical Potassium' }).waitFor();
    await expect.poll(() => sent('delivered', 101).length).toBe(1);
    const urgentTones = (await watched.tones()).filter((t) => t.hz === 1320);
    expect(urgentTones.length).toBeGreaterThanOrEqual(3);
    expect(await page.title()).toBe('(1) Switchboard alerts');

    // A low-priority one: its own soft tone, and it goes on top (newest first).
    server.raise({ id: 102, title: 'Bed 512-B cleaned', priority: 'low' });
    await row(102).waitFor();
    await expect
      .poll(async () => (await watched.tones()).some((t) => t.hz === 523 && t.wave === 'sine'))
      .toBe(true);
    expect(await page.locator('#alert-list li').evaluateAll((lis) => lis.map((li) => li.dataset.id))).toEqual(
      ['102', '101'],
    );

    // Opening the urgent one shows everything and records `read`.
    await row(101).getByRole('button').click();
    const detail = page.locator('#detail');
    await detail.getByRole('heading', { name: POTASSIUM.title }).waitFor();
    expect(await detail.locator('.patient').textContent()).toContain('MRN300217');
    expect(await detail.locator('.patient').textContent()).toContain('5E 512-B');
    expect(await detail.locator('.recipients').textContent()).toContain(FakeSwitchboard.person.name);
    await expect.poll(() => sent('read', 101).length).toBe(1);
    await detail.locator('.status-line', { hasText: 'You: Read' }).waitFor();
    await detail.locator('.timeline li', { hasText: 'Notified' }).waitFor();
    expect(page.url()).toMatch(/#alert-101$/);

    // Acknowledge: the state shown is the one the server's `ok` carries, and the timeline follows.
    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    await detail.locator('.status-line .state', { hasText: 'Acknowledged' }).waitFor();
    await detail.locator('.answer-note', { hasText: 'Recorded' }).waitFor();
    await detail.locator('.timeline li[data-kind="acknowledged"]').waitFor();
    const ack = sent('acknowledge', 101);
    expect(ack).toHaveLength(1);
    expect(ack[0].ref).toBeTruthy();

    // An alert with choices: the choices are buttons and go back as `reply`.
    server.raise({
      id: 103,
      title: 'Call back 4-5521?',
      priority: 'high',
      choices: ['On my way', 'Call me'],
    });
    await row(103).getByRole('button').click();
    await detail.getByRole('button', { name: 'On my way' }).click();
    await expect.poll(() => sent('reply', 103)[0]?.choice).toBe('On my way');
    await detail.locator('.status-line', { hasText: 'Acknowledged' }).waitFor();

    // The source clears one: it leaves the list.
    server.remove(102, 'cleared by the lab');
    await row(102).waitFor({ state: 'detached' });

    // Muted: the next alert is listed and announced but makes no sound.
    await page.getByRole('button', { name: 'Mute' }).click();
    expect(await page.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('#sound-state', { hasText: 'alerts are silent' }).waitFor();
    const before = (await watched.tones()).length;
    server.raise({ id: 104, title: 'Routine: new order', priority: 'normal' });
    await row(104).waitFor();
    await page.locator('#announcer', { hasText: 'Routine: new order' }).waitFor();
    expect((await watched.tones()).length).toBe(before);
    await page.getByRole('button', { name: 'Mute' }).click();
    expect(await page.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed')).toBe('false');
    await page.locator('#sound-state').waitFor({ state: 'hidden' });

    // Signing out forgets the token and the alerts.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('switchboard.session'))).toBeNull();
    expect(await page.locator('#alert-list li').count()).toBe(0);
  });

  it('reconnects after a drop, says hello again, and shows what arrived while away', async () => {
    await signIn();
    server.raise({ id: 201, title: 'STAT CT head', priority: 'high' });
    await row(201).waitFor();
    server.dropAll();
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    server.raise({ id: 202, title: 'Critical Troponin: 2.1 ng/mL', priority: 'urgent' });
    server.raise({ id: 203, title: 'Bed 7 call light', priority: 'normal' });
    server.closeQuietly(203);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    await row(202).waitFor();
    await expect.poll(() => sent('hello').length).toBe(2);
    expect(await row(201).isVisible()).toBe(true);
    await expect.poll(() => sent('delivered', 202).length).toBe(1);
    // 203 was raised and closed while the page was away; 201 closed while away too: the replay leaves it
    // out, and the page drops it once the replay has had time to arrive.
    expect(await row(203).count()).toBe(0);
    server.dropAll();
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    server.closeQuietly(201);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    await row(201).waitFor({ state: 'detached', timeout: 20_000 });
    expect(await row(202).isVisible()).toBe(true);
  });

  it('refuses to answer while offline instead of losing the answer', async () => {
    await signIn();
    server.raise({ id: 251, title: 'Rapid response 4W', priority: 'urgent' });
    await row(251).getByRole('button').click();
    await server.stop();
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    const ack = page.locator('#detail').getByRole('button', { name: 'Acknowledge' });
    expect(await ack.getAttribute('aria-disabled')).toBe('true');
    await ack.click({ force: true }); // a real tap; `force` because Playwright will not tap an aria-disabled button
    expect(await page.locator('#detail .answer-note').textContent()).toContain('Not connected');
    server = await new FakeSwitchboard().start(); // afterEach stops this one
  });

  it('shows a refused answer in plain words and lets the person try again', async () => {
    await signIn();
    server.raise({ id: 501, title: 'STAT troponin', priority: 'high' });
    await row(501).getByRole('button').click();
    server.closeQuietly(501); // the server no longer has it: the answer is refused with an `error` frame
    await page.locator('#detail').getByRole('button', { name: 'Accept' }).click();
    await page.locator('#detail .answer-note.error', { hasText: 'Not recorded: no such alert' }).waitFor();
    await page.locator('#announcer', { hasText: 'Not recorded' }).waitFor();
    const accept = page.locator('#detail').getByRole('button', { name: 'Accept' });
    expect(await accept.getAttribute('aria-disabled')).toBeNull();
  });

  it('goes back to sign-in when the server ends the session (close 4401)', async () => {
    await signIn();
    server.revokeAll();
    await page.locator('#sign-in-error', { hasText: 'session has ended' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('switchboard.session'))).toBeNull();
  });

  it('goes back to sign-in when the token is refused at the handshake (HTTP 401, seen as a plain drop)', async () => {
    await signIn();
    server.refuseHandshake = true;
    server.revokeTokensQuietly();
    server.dropAll();
    await page.locator('#sign-in-error', { hasText: 'session has ended' }).waitFor();
  });

  it('keeps the session over a reload, replays the alerts and asks for a tap to turn sound on', async () => {
    await signIn();
    server.raise({ id: 301, title: 'Critical Lactate: 5.2 mmol/L', priority: 'urgent' });
    await row(301).waitFor();
    await page.reload();
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    await row(301).waitFor();
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    const soundOn = page.getByRole('button', { name: 'Turn sound on' });
    await soundOn.waitFor();
    await soundOn.click();
    await soundOn.waitFor({ state: 'hidden' });
  });

  it('fits a phone: no sideways scrolling, detail full screen, back returns to the list', async () => {
    await watched.context.close();
    watched = await openPage(browser, { width: 390, height: 844 });
    page = watched.page;
    await signIn();
    server.raise({ id: 401, ...POTASSIUM });
    server.raise({ id: 402, title: 'STAT order: CBC, BMP', priority: 'high', body: 'ED bay 7' });
    server.raise({ id: 403, title: 'Bed 512-B ready', priority: 'low' });
    await row(403).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const height = await row(401)
      .getByRole('button')
      .evaluate((b) => b.getBoundingClientRect().height);
    expect(height).toBeGreaterThanOrEqual(48);
    await page.screenshot({ path: '/tmp/switchboard-page-phone-list.png' });

    await row(401).getByRole('button').click();
    await page.locator('#detail h2', { hasText: POTASSIUM.title }).waitFor();
    expect(await page.locator('#alerts').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/switchboard-page-phone-detail.png', fullPage: true });
    await page.getByRole('button', { name: 'All alerts' }).click();
    await page.locator('#alerts').waitFor();
    expect(await page.locator('#detail').isVisible()).toBe(false);
  });
});
