import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// WCAG 2.2 success criterion 1.4.3: text needs a contrast ratio of at least 4.5:1 with its background.
// The pairs below are the ones the page puts together; the colours are read from style.css itself, so a
// palette edit that makes a label unreadable in a dark ward fails here.

const css = readFileSync(new URL('./public/style.css', import.meta.url), 'utf8');
const vars = Object.fromEntries(
  [...css.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\b/gi)].map((m) => [m[1], m[2]]),
);

/** WCAG 2.x relative luminance of an sRGB colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('colour contrast of the clinician page', () => {
  it.each([
    ['--text', '--bg'],
    ['--text', '--surface'],
    ['--text', '--surface-2'],
    ['--muted', '--bg'],
    ['--muted', '--surface'],
    ['--muted', '--surface-2'],
    ['--urgent-ink', '--urgent-badge'],
    ['--high-ink', '--high'],
    ['--normal-ink', '--normal'],
    ['--low-ink', '--low'],
  ])('%s on %s is at least 4.5:1', (fg, bg) => {
    expect(vars[fg], fg).toMatch(/^#/);
    expect(vars[bg], bg).toMatch(/^#/);
    expect(contrast(vars[fg], vars[bg])).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps the priority stripes visible against the page (3:1 for non-text, WCAG 1.4.11)', () => {
    for (const p of ['--urgent', '--high', '--normal', '--low'])
      expect(contrast(vars[p], vars['--surface']), p).toBeGreaterThanOrEqual(3);
  });
});
