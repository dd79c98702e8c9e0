/**
 * Two clinicians message each other in Chromium: the day nurse opens Messages, types "hosp" and picks
 * "On call for Hospitalist" (the picker says who that is now), writes and sends; Dr. One's page shows the
 * message, and when Dr. One opens the conversation the nurse's page shows "Read by Dr. One"; Dr. One's reply
 * reaches the nurse's open conversation. A notice from Switchboard itself (a handoff) is signed
 * "Switchboard" and has no reply box.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, TEST_PASSWORD, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { hasChromium, launchChromium, noticeIfSkipped, openPage, type WatchedPage } from './browser.ts';

noticeIfSkipped('clinician messaging');

describe.skipIf(!hasChromium)('clinicians message each other on the page', () => {
  let sb: TestSwitchboard;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    sb = await startTestSwitchboard({
      configDir: await writeBehaviourHospital(),
      clock: new ManualClock('2026-11-22T14:30:00Z'),
      cycle: false,
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sb?.cleanup();
  });

  async function signedIn(username: string) {
    const watched = await openPage(browser);
    pages.push(watched);
    const { page } = watched;
    await page.goto(sb.httpUrl);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    return page;
  }

  it('sends to whoever is on call, shows the receipt, and carries the reply back', async () => {
    const nurse = await signedIn('rn.day');
    const doctor = await signedIn('dr.one');

    await nurse.getByRole('button', { name: 'Messages' }).click();
    await nurse.getByRole('link', { name: 'New message' }).click();
    await nurse.getByLabel('To').fill('hosp');
    const option = nurse.getByRole('button', { name: /On call for Hospitalist: Dr\. One \(first call\)/ });
    await option.click();
    await nurse.locator('.chosen', { hasText: 'To: On call for Hospitalist' }).waitFor();
    await nurse
      .getByLabel('Message', { exact: true })
      .fill('K 2.9 after replacement in 401-A, repeat the level?');
    await nurse.getByRole('button', { name: 'Send', exact: true }).click();
    await nurse.locator('#conversation-title', { hasText: 'On call for Hospitalist' }).waitFor();
    await nurse.locator('.receipts', { hasText: /Sent to Dr\. One|Delivered to Dr\. One/ }).waitFor();

    await doctor.locator('#messages-button', { hasText: 'Messages (1)' }).waitFor();
    await doctor.getByRole('button', { name: /Messages/ }).click();
    await doctor.getByRole('link', { name: /On call for Hospitalist/ }).click();
    await doctor.locator('.message-body', { hasText: 'K 2.9 after replacement' }).waitFor();

    await nurse.locator('.receipts', { hasText: 'Read by Dr. One' }).waitFor();

    await doctor.getByLabel('Reply').fill('Yes, repeat at 16:00');
    await doctor.getByRole('button', { name: 'Send reply' }).click();
    await nurse.locator('.message-body', { hasText: 'Yes, repeat at 16:00' }).waitFor();
    await nurse.screenshot({ path: '/tmp/switchboard-messages.png', fullPage: true });

    for (const p of pages) expect(p.problems).toEqual([]);
  }, 90_000);

  it('shows a notice from Switchboard signed "Switchboard", with no reply box', async () => {
    const doctor = await signedIn('dr.two');
    await sb.routing.messaging.notify('p-two', {
      subject: 'Handoff: Hospitalist',
      body: 'Handoff: you are on call for Hospitalist from 19:00 (Sun 22 Nov) until 07:00 (Mon 23 Nov).',
      key: 'handoff-test',
    });
    await doctor.locator('#messages-button', { hasText: 'Messages (1)' }).waitFor();
    await doctor.getByRole('button', { name: /Messages/ }).click();
    await doctor.getByRole('link', { name: /Handoff: Hospitalist/ }).click();
    await doctor.locator('.message-body', { hasText: 'you are on call for Hospitalist' }).waitFor();
    await doctor.locator('.messages-thread .muted', { hasText: /^Switchboard · / }).waitFor();
    await doctor.getByText('A notice from Switchboard: it takes no replies.').waitFor();
    expect(await doctor.getByLabel('Reply').count()).toBe(0);
    for (const p of pages) expect(p.problems).toEqual([]);
  }, 60_000);
});
