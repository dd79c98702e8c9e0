import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MllpClient, readAck } from '../../src/delivery/mllp/client.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { hasChromium, launchChromium, noticeIfSkipped, openPage, type WatchedPage } from './browser.ts';

// The whole path a critical result takes, end to end, with the demo hospital in config/: a lab sends an ORU
// over MLLP, the routing core finds the hospitalist on call, the page on their phone rings, they open it and
// acknowledge, and the timeline records every step.

noticeIfSkipped('clinician end to end');

const REPO = join(import.meta.dirname, '..', '..');
const DEMO_PASSWORD = 'demo'; // config/accounts.yaml: every demo account's password

/** A critically low potassium on a 4W patient (not ICU, so the general critical-result rule routes it). */
function criticalPotassium(controlId: string): string {
  const now = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 12);
  return [
    `MSH|^~\\&|LAB|RGH|SWITCHBOARD|RGH|${now}||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    'PID|1||MRN771204^^^RGH^MR||QUINTERO^ROSA^M||19580312|F',
    'PV1|1|I|4W^402^B^RGH||||1234^WELBY^MARCUS',
    `OBR|1|ORD9921|LAB9921|2823-3^Potassium^LN|||${now}`,
    'OBX|1|NM|2823-3^Potassium^LN||2.6|mmol/L|3.5-5.1|LL|||F',
    '',
  ].join('\r');
}

describe.skipIf(!hasChromium)(
  'a clinician receives and acknowledges a critical result in the browser',
  () => {
    let sb: TestSwitchboard;
    let browser: Browser;
    let watched: WatchedPage;
    let page: Page;
    let onCall: { personId: string; name: string; username: string };

    beforeAll(async () => {
      const configDir = mkdtempSync(join(tmpdir(), 'sb-web-config-'));
      cpSync(join(REPO, 'config'), configDir, { recursive: true });
      sb = await startTestSwitchboard({
        configDir,
        env: {
          SWITCHBOARD_LISTENERS_MLLP_PORT: '0',
          SWITCHBOARD_HTTP_PORT: '0',
          SWITCHBOARD_LISTENERS_MLLP_HOST: '127.0.0.1',
          SWITCHBOARD_HTTP_HOST: '127.0.0.1',
          SWITCHBOARD_LOG_LEVEL: 'silent',
        },
      });

      // Who is first call for the hospitalist assignment right now, asked the way an operator would.
      const session = await fetch(`${sb.httpUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'analyst', password: DEMO_PASSWORD }),
      });
      expect(session.status).toBe(200);
      const { token } = (await session.json()) as { token: string };
      const res = await fetch(`${sb.httpUrl}/api/oncall?assignment=hospitalist`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        onCall: Array<{ personId: string; name: string; callOrder: number }>;
      };
      const first = body.onCall.find((e) => e.callOrder === 1);
      expect(first, 'someone is first call for hospitalist now').toBeDefined();
      const accounts = parse(readFileSync(join(configDir, 'accounts.yaml'), 'utf8')).accounts as Array<{
        username: string;
        person?: string;
      }>;
      const account = accounts.find((a) => a.person === first!.personId);
      expect(account, `an account signs in as ${first!.personId}`).toBeDefined();
      onCall = { personId: first!.personId, name: first!.name, username: account!.username };

      browser = await launchChromium();
    });

    afterAll(async () => {
      await watched?.context.close();
      await browser?.close();
      await sb?.cleanup();
    });

    it('signs in as the hospitalist on call, gets the alert, acknowledges it, and the timeline shows it all', async () => {
      watched = await openPage(browser, { width: 1280, height: 900 });
      page = watched.page;
      await page.goto(sb.httpUrl);
      await page.getByLabel('Username').fill(onCall.username);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#connection', { hasText: 'Connected' }).waitFor();
      expect(await page.locator('#who').textContent()).toContain(onCall.name);

      const lab = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
      await lab.connect();
      const ack = readAck(await lab.send(criticalPotassium('WEB-K-1')));
      await lab.close();
      expect(ack.code).toBe('AA');

      // The alert rings on the page: urgent, in words and colour, with the patient.
      const card = page.locator('#alert-list .alert-card', { hasText: 'Potassium' });
      await card.waitFor({ timeout: 15_000 });
      expect(await card.locator('.badge').textContent()).toBe('Urgent');
      expect(await card.textContent()).toContain('MRN771204');
      await page.locator('#announcer', { hasText: 'New urgent alert' }).waitFor();
      expect((await watched.tones()).some((t) => t.hz === 1320)).toBe(true);
      await page.screenshot({ path: '/tmp/switchboard-clinician-list.png' });

      // Open it: detail, patient, recipients, timeline; then acknowledge.
      await card.click();
      const detail = page.locator('#detail');
      await detail.locator('#detail-title', { hasText: 'Potassium' }).waitFor();
      expect(await detail.locator('.recipients').textContent()).toContain(onCall.name);
      const patient = await detail.locator('.patient').textContent();
      expect(patient).toContain('QUINTERO, ROSA');
      expect(patient).toContain('4W 402-B');
      await detail.locator('.status-line', { hasText: 'You: Read' }).waitFor();
      await detail.getByRole('button', { name: 'Acknowledge' }).click();
      await detail.locator('.status-line .state', { hasText: 'Acknowledged' }).waitFor();
      await detail.locator('.timeline li[data-kind="acknowledged"]').waitFor();

      const kinds = await detail
        .locator('.timeline li')
        .evaluateAll((lis) => lis.map((li) => li.dataset.kind));
      const expected = ['received', 'routed', 'notified', 'delivered', 'read', 'acknowledged'];
      const positions = expected.map((k) => kinds.indexOf(k));
      expect(
        positions.every((p) => p >= 0),
        `timeline ${kinds.join(' → ')}`,
      ).toBe(true);
      expect(
        [...positions].sort((a, b) => a - b),
        `timeline ${kinds.join(' → ')}`,
      ).toEqual(positions);
      await page.screenshot({ path: '/tmp/switchboard-clinician.png', fullPage: true });

      // The same, as the nurse or doctor sees it on a phone.
      const phone = await openPage(browser, { width: 390, height: 844 });
      await phone.page.goto(sb.httpUrl);
      await phone.page.getByLabel('Username').fill(onCall.username);
      await phone.page.getByLabel('Password').fill(DEMO_PASSWORD);
      await phone.page.getByRole('button', { name: 'Sign in' }).click();
      await phone.page.locator('#connection', { hasText: 'Connected' }).waitFor();
      const lab2 = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
      await lab2.connect();
      expect(
        readAck(await lab2.send(criticalPotassium('WEB-K-2').replace('MRN771204', 'MRN771299'))).code,
      ).toBe('AA');
      await lab2.close();
      await phone.page
        .locator('#alert-list .alert-card', { hasText: 'MRN771299' })
        .waitFor({ timeout: 15_000 });
      await phone.page.screenshot({ path: '/tmp/switchboard-clinician-phone.png' });
      await phone.page.locator('#alert-list .alert-card', { hasText: 'MRN771299' }).click();
      await phone.page.locator('#detail .timeline li').first().waitFor();
      await phone.page.screenshot({ path: '/tmp/switchboard-clinician-phone-detail.png', fullPage: true });
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(phone.problems).toEqual([]);
      await phone.context.close();

      expect(watched.problems).toEqual([]);
    }, 90_000);
  },
);
