import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium; the browser suites are skipped (with a notice) where it is not installed. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function noticeIfSkipped(suite: string): void {
  if (!hasChromium)
    console.warn(`[${suite}] SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records every oscillator the page starts (`window.__tones`), so a test can tell which priority's sound
 * played without listening. Runs before the page's own scripts.
 */
function recordTones() {
  const w = window as unknown as { __tones: Array<{ wave: string; hz: number }> };
  w.__tones = [];
  const create = BaseAudioContext.prototype.createOscillator;
  BaseAudioContext.prototype.createOscillator = function (this: BaseAudioContext) {
    const osc = create.call(this);
    let hz = 0;
    const set = osc.frequency.setValueAtTime.bind(osc.frequency);
    osc.frequency.setValueAtTime = (value: number, at: number) => {
      hz = value;
      return set(value, at);
    };
    const start = osc.start.bind(osc);
    osc.start = (when?: number) => {
      w.__tones.push({ wave: osc.type, hz });
      start(when);
    };
    return osc;
  };
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  problems: string[];
  tones(): Promise<Array<{ wave: string; hz: number }>>;
}

export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 860 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: viewport.width < 500 ? 2 : 1 });
  await context.addInitScript(recordTones);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // Chromium itself logs every failed request (a 401 on a wrong password, a refused reconnect); those are
    // expected events in these tests. What is left is the page's own errors and CSP violations.
    const expected = /WebSocket connection to .* failed|^Failed to load resource/;
    if (m.type() === 'error' && !expected.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return {
    page,
    context,
    problems,
    tones: () =>
      page.evaluate(() => (window as unknown as { __tones: Array<{ wave: string; hz: number }> }).__tones),
  };
}
