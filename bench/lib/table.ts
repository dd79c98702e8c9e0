/**
 * Plain-text tables for benchmark output: aligned columns that read well in a terminal and paste into a
 * report or an issue unchanged.
 */

export interface Column {
  title: string;
  /** Numbers read best right-aligned. @defaultValue 'left' */
  align?: 'left' | 'right';
}

export type Cell = string | number;

/** Renders rows under a header line and a rule; numbers are printed as given (format them first). */
export function formatTable(columns: Column[], rows: Cell[][]): string {
  const text = rows.map((row) => columns.map((_, i) => String(row[i] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  return [
    line(columns.map((c) => c.title)),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...text.map(line),
  ].join('\n');
}

/** A rate with thousands separators and no decimals: 12,345. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  return Math.round(perSecond).toLocaleString('en-US');
}

/** Milliseconds with a precision that suits their size: 0.182, 3.47, 15.2, 240. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A ratio to the baseline of the same run: 0.42x. */
export function formatRatio(value: number, baseline: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return '-';
  return `${(value / baseline).toFixed(2)}x`;
}

export interface Target {
  /** What is promised, in words: '>= 10,000 msgs/s over 32 connections'. */
  label: string;
  /** The figure measured for it in this run, or undefined when this run did not measure it. */
  measured?: number;
  threshold: number;
  /** @defaultValue 'at-least' */
  direction?: 'at-least' | 'at-most';
  unit: string;
  /** How the measured figure is printed. @defaultValue two decimals for a ratio (unit 'x'), else formatRate */
  format?: (value: number) => string;
}

/** One line per target: what was promised, what was measured, met or not met (or not measured). */
export function formatTargets(targets: Target[]): string {
  return targets
    .map((t) => {
      if (t.measured === undefined || !Number.isFinite(t.measured))
        return `  ${t.label}: not measured in this run`;
      const met =
        (t.direction ?? 'at-least') === 'at-least' ? t.measured >= t.threshold : t.measured <= t.threshold;
      const format = t.format ?? (t.unit === 'x' ? (v: number) => v.toFixed(2) : formatRate);
      return `  ${t.label}: ${format(t.measured)} ${t.unit} - ${met ? 'met' : 'NOT met'}`;
    })
    .join('\n');
}
