import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient } from '../../src/delivery/mllp/client.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { startTestSwitchboard, TEST_PASSWORD, type TestSwitchboard } from '../support/harness.ts';
import { result, writeBehaviourHospital } from '../support/hospital.ts';
import { hasChromium, launchChromium, noticeIfSkipped, openPage, type WatchedPage } from './browser.ts';

// An analyst at the console: finds the critical potassium by MRN, reads its path, changes the rule to page
// the house supervisor instead of the hospitalist, sees the typo the loader refuses at its line, replays the
// last hour to see who would be paged instead, saves, and the next result follows the new rule.
// CONSOLE_SCREENSHOTS=docs/console writes each screen at desktop and tablet width there.

noticeIfSkipped('analyst console');

const REPO = join(import.meta.dirname, '..', '..');
const AXE = readFileSync(join(REPO, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

interface Violation {
  id: string;
  impact: string;
  nodes: Array<{ target: string[] }>;
}
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, tablet: { width: 820, height: 1180 } };

describe.skipIf(!hasChromium)('the analyst console in the browser', () => {
  let sb: TestSwitchboard;
  let browser: Browser;
  const clock = new ManualClock('2026-11-22T14:30:00Z');

  async function send(raw: string) {
    const client = new MllpClient({ host: '127.0.0.1', port: sb.mllpPort });
    await client.connect();
    await client.send(raw);
    await client.close();
    await sb.settled();
  }

  async function signInAs(page: Page, username: string) {
    await page.goto(`${sb.httpUrl}/console`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function shot(page: Page, name: string) {
    if (!SHOTS) return;
    mkdirSync(join(REPO, SHOTS), { recursive: true });
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(REPO, SHOTS, `${name}-${label}.png`), fullPage: true });
    }
    await page.setViewportSize(VIEWPORTS.desktop);
  }

  /** axe-core run in the page (evaluated through DevTools, so the page's CSP stays as served). */
  async function seriousViolations(page: Page) {
    await page.evaluate(AXE);
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (o: object) => Promise<{ violations: Violation[] }> } })
        .axe;
      const { violations } = await axe.run({ resultTypes: ['violations'] });
      return violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n: { target: string[] }) => n.target.join(' ')).join(', ')}`);
    });
  }

  beforeAll(async () => {
    sb = await startTestSwitchboard({ configDir: await writeBehaviourHospital(), clock, cycle: false });
    await send(result('2823-3', 'LL', '2.7', 'K-CRIT-1'));
    await send(result('2951-2', 'N', '140', 'NA-1').replace('MRN77', 'MRN88'));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sb?.cleanup();
  });

  it('a clinician is told the console is for analysts', async () => {
    const watched = await openPage(browser);
    await signInAs(watched.page, 'dr.one');
    await watched.page.getByRole('heading', { name: 'This console is for analysts' }).waitFor();
    expect(await watched.page.locator('#bar').isHidden()).toBe(true);
    await watched.context.close();
  });

  it('finds, explains, edits, replays, saves; the next message follows the new rule', async () => {
    const watched: WatchedPage = await openPage(browser, VIEWPORTS.desktop);
    const page = watched.page;
    await page.goto(`${sb.httpUrl}/console`);
    await shot(page, '1-sign-in');
    await signInAs(page, 'analyst');

    // Find it by MRN and open its path.
    await page.getByLabel('MRN').fill('MRN77');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('p[role="status"]', { hasText: '1 message; 1–1 shown' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, '2-search-by-mrn');
    await page.getByRole('button', { name: 'K-CRIT-1' }).click();
    const detail = page.getByRole('region', { name: 'Message detail' });
    await detail.getByText('matched critical').waitFor();
    expect(await detail.getByText('not matched cardiology').count()).toBe(1);
    expect(await detail.getByText(/to p-one \(step 1\)/).count()).toBe(1);
    expect(await detail.locator('.tree').getByText('Patient Identifier List').count()).toBeGreaterThan(0);
    expect(await detail.locator('pre.raw .delim').count()).toBeGreaterThan(10);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, '3-message-path');

    // Edit the rule: page the house supervisor, first with a typo.
    await page.getByRole('tab', { name: 'Rules' }).click();
    const editor = page.getByLabel(/YAML/);
    await page.getByText('Rules valid: 3 rules.').waitFor();
    const text = await editor.inputValue();
    const edited = text.replace(
      'recipients: [ { onCall: hospitalist, order: first } ]\n    priority: urgent',
      'recipients: [ { onCall: supervisor, order: first } ]\n    priority: urgent',
    );
    expect(edited).not.toBe(text);
    const typo = edited.replace('onCall: supervisor', 'onCal: supervisor');
    const typoLine = typo.split('\n').findIndex((l) => l.includes('onCal:')) + 1;
    await editor.fill(typo);
    const problem = page
      .locator('#rule-problems li', { hasText: `rules/rules.yaml line ${typoLine}:` })
      .first();
    await problem.waitFor();
    // The problem takes the analyst to its line.
    await problem.getByRole('button').click();
    const caretLine = await editor.evaluate(
      (el: HTMLTextAreaElement) => el.value.slice(0, el.selectionStart).split('\n').length,
    );
    expect(caretLine).toBe(typoLine);
    expect(await page.getByRole('button', { name: 'Save and reload' }).isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, '4-rule-typo');

    await editor.fill(edited);
    await page.getByText('Draft valid: 3 rules.').waitFor();
    await page.getByRole('button', { name: 'Replay' }).click();
    const row = page.locator('#replay-result tr', { hasText: 'other recipients' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/critical[\s\S]*p-one[\s\S]*p-sup/);
    await page.getByText(/1 go to someone else/).waitFor();
    await shot(page, '5-replay-difference');

    await page.getByRole('button', { name: 'Save and reload' }).click();
    await page
      .locator('#rule-status', { hasText: /Saved rules\/rules\.yaml; the rules in force are now version/ })
      .waitFor();

    // The next critical result pages the supervisor.
    await send(result('2823-3', 'HH', '6.9', 'K-CRIT-2'));
    await page.getByRole('tab', { name: 'Messages' }).click();
    await page.getByLabel('MRN').fill('');
    await page.getByLabel('Control id').fill('K-CRIT-2');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'K-CRIT-2' }).click();
    await detail.getByText(/to p-sup \(step 1\)/).waitFor();
    await shot(page, '6-next-message-follows');
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  }, 120_000);
});
