/**
 * The console's Dashboard and On-call tabs in Debian's chromium: an analyst signs in, sees the interfaces
 * a few HL7 messages came from (with the chart), who is on call now and the gaps of the next days, finds
 * a person by name, reaches everything by keyboard, and axe-core finds no serious violation. Screenshots
 * at desktop and tablet width go to /tmp (the ones in docs/console/ were taken from these).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  oru,
  signIn,
  startTestSwitchboard,
  TEST_PASSWORD,
  type TestSwitchboard,
} from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { RawMllpPeer } from '../support/mllp-socket.ts';
import { hasChromium, launchChromium, noticeIfSkipped, openPage } from './browser.ts';

noticeIfSkipped('operations console');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let sb: TestSwitchboard;
let browser: Browser;

/** Shifts around now, in the site's zone: the hospitalist covered for 20 h, then a 6 h gap; cardiology never. */
function shiftsAroundNow(): string {
  const now = DateTime.now().setZone('America/New_York').startOf('hour');
  const at = (hours: number) => now.plus({ hours }).toFormat('yyyy-MM-dd HH:mm');
  return [
    `    - { assignment: hospitalist, person: p-one, start: '${at(-2)}', end: '${at(20)}', callOrder: 1 }`,
    `    - { assignment: hospitalist, person: p-two, start: '${at(-2)}', end: '${at(20)}', callOrder: 2 }`,
    `    - { assignment: hospitalist, person: p-two, start: '${at(26)}', end: '${at(80)}', callOrder: 1 }`,
    `    - { assignment: supervisor, person: p-sup, start: '${at(-1)}', end: '${at(80)}' }`,
  ].join('\n');
}

async function signInToConsole(page: Page) {
  await page.goto(`${sb.httpUrl}/console`);
  await page.fill('#username', 'analyst');
  await page.fill('#password', TEST_PASSWORD);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#tabs [role=tab]');
}

async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            c: unknown,
          ) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
        };
      }
    ).axe;
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  });
}

beforeAll(async () => {
  if (!hasChromium) return;
  const configDir = await writeBehaviourHospital({ shifts: shiftsAroundNow() });
  sb = await startTestSwitchboard({ configDir });
  const peer = await RawMllpPeer.open(sb.mllpPort);
  for (let i = 0; i < 4; i++) peer.write(`\x0b${oru(`DASH-${i}`, 'LAB', '4.2')}\x1c\x0d`);
  for (let i = 0; i < 2; i++) peer.write(`\x0b${oru(`ADT-${i}`, 'ADT')}\x1c\x0d`);
  peer.write('\x0bgarbage\x1c\x0d');
  await peer.waitForAcks(7);
  peer.close();
  await sb.settled();
  // The listener thread reports its counts every half second.
  const token = await signIn(sb.httpUrl, 'analyst');
  await vi.waitFor(
    async () => {
      const res = await fetch(`${sb.httpUrl}/api/operations`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await res.json()) as { interfaces: unknown[] }).interfaces).toHaveLength(3);
    },
    { timeout: 10_000, interval: 200 },
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sb?.cleanup();
});

describe.skipIf(!hasChromium)('console: Dashboard and On call', () => {
  it('the dashboard shows each interface, its chart and the routing, queues and listeners', async () => {
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['tablet', { width: 820, height: 1180 }],
    ] as const) {
      const { page, problems, context } = await openPage(browser, viewport);
      await signInToConsole(page);
      await page.click('#tab-dashboard');
      const lab = page.locator('#ops-body table.ops-table tr', { hasText: 'LAB^RGH' });
      await lab.waitFor();
      const cells = await lab.locator('td').allTextContents();
      expect(cells.slice(0, 3)).toEqual(['mllp', 'LAB^RGH', '4']);
      expect(cells[4]).toMatch(/ms$/);
      await expect
        .poll(() =>
          page
            .locator('#ops-body table.ops-table tr', { hasText: '(unreadable)' })
            .locator('td')
            .nth(6)
            .textContent(),
        )
        .toBe('1');
      // uPlot drew the messages-per-minute chart, with a series per interface.
      await page.waitForSelector('#ops-chart .uplot canvas');
      await page.screenshot({ path: `/tmp/switchboard-console-dashboard-${name}.png`, fullPage: true });
      // The time axis and one series per interface.
      expect(await page.locator('#ops-chart .u-legend .u-series').count()).toBe(4);
      await expect
        .poll(() => page.locator('.ops-card', { hasText: 'Listeners' }).textContent())
        .toContain('up');
      expect(await page.locator('.ops-card', { hasText: 'Routing' }).textContent()).toContain('Backlog');
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('on call: who is on now, the timeline with its gaps, search by person, by keyboard', async () => {
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['tablet', { width: 820, height: 1180 }],
    ] as const) {
      const { page, problems, context } = await openPage(browser, viewport);
      await signInToConsole(page);
      // Keyboard: the tab bar's arrows open the next tab.
      await page.click('#tab-dashboard');
      await page.focus('#tab-dashboard');
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('#oc-now table');
      const now = page.locator('#oc-now tbody');
      await expect.poll(() => now.textContent()).toContain('Dr. One');
      await page.screenshot({ path: `/tmp/switchboard-console-oncall-${name}.png`, fullPage: true });
      expect(await now.locator('tr', { hasText: 'Dr. One' }).locator('td').allTextContents()).toEqual([
        'Hospitalist',
        '1st call',
        'Dr. One',
        expect.any(String),
        '',
      ]);
      expect(await now.locator('tr', { hasText: 'Cardiology' }).textContent()).toContain('nobody on call');
      // The timeline: a lane per call order, the 6-hour gap listed and drawn.
      const hospitalist = page.locator('section.oc-assignment', { hasText: 'Hospitalist' });
      expect(await hospitalist.locator('.oc-track').count()).toBe(2);
      expect(await hospitalist.locator('.oc-gap').count()).toBeGreaterThan(0);
      expect(await hospitalist.locator('.oc-gap-list li').count()).toBe(1);
      expect(
        await page
          .locator('section.oc-assignment', { hasText: 'Cardiology' })
          .locator('.oc-gap-list li')
          .count(),
      ).toBe(1);

      // Tab from the tab bar reaches the search field; typing a person's name narrows to their assignments.
      await page.focus('#tab-oncall');
      for (let i = 0; i < 10; i++) {
        if ((await page.evaluate(() => document.activeElement?.id)) === 'oc-search') break;
        await page.keyboard.press('Tab');
      }
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('oc-search');
      await page.keyboard.type('Dr. Two');
      await expect.poll(() => page.locator('#oc-count').textContent()).toContain('1 of 3 assignments');
      expect(await page.locator('section.oc-assignment').count()).toBe(1);
      expect(await now.textContent()).not.toContain('Supervisor');
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('a clinician gets no dashboard or timeline figures', async () => {
    const token = await signIn(sb.httpUrl, 'dr.one');
    for (const path of ['/api/operations', '/api/oncall/timeline'])
      expect(
        (await fetch(`${sb.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(403);
  });
});
