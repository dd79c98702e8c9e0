import { describe, expect, it } from 'vitest';
import { formatMs, formatRate, formatRatio, formatTable, formatTargets } from './table.ts';

describe('formatTable', () => {
  it('aligns columns under their titles, numbers to the right', () => {
    const text = formatTable(
      [{ title: 'server' }, { title: 'msgs/s', align: 'right' }],
      [
        ['bare', '12,000'],
        ['switchboard', '900'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'server      | msgs/s',
      '------------+-------',
      'bare        | 12,000',
      'switchboard |    900',
    ]);
  });

  it('prints missing cells as empty', () => {
    expect(formatTable([{ title: 'a' }, { title: 'b' }], [['x']]).split('\n')[2]).toBe('x |');
  });
});

describe('number formats', () => {
  it('rates have separators and no decimals', () => {
    expect(formatRate(12345.6)).toBe('12,346');
    expect(formatRate(Number.NaN)).toBe('-');
  });

  it('milliseconds keep three significant digits or so', () => {
    expect(formatMs(0.1826)).toBe('0.183');
    expect(formatMs(3.471)).toBe('3.47');
    expect(formatMs(15.24)).toBe('15.2');
    expect(formatMs(240.4)).toBe('240');
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('-');
  });

  it('ratios are relative to the baseline, and undefined against zero', () => {
    expect(formatRatio(500, 2000)).toBe('0.25x');
    expect(formatRatio(500, 0)).toBe('-');
  });
});

describe('formatTargets', () => {
  it('says met, not met, or not measured', () => {
    const text = formatTargets([
      { label: 'fast enough', measured: 12000, threshold: 10000, unit: 'msgs/s' },
      { label: 'one connection', measured: 2999, threshold: 3000, unit: 'msgs/s' },
      { label: 'latency', measured: 4, threshold: 5, direction: 'at-most', unit: 'ms', format: String },
      { label: 'not run', threshold: 1, unit: 'x' },
      { label: 'ratio', measured: 0.934, threshold: 0.9, unit: 'x' },
    ]);
    expect(text.split('\n')).toEqual([
      '  fast enough: 12,000 msgs/s - met',
      '  one connection: 2,999 msgs/s - NOT met',
      '  latency: 4 ms - met',
      '  not run: not measured in this run',
      '  ratio: 0.93 x - met',
    ]);
  });
});
