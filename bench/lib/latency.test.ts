import { describe, expect, it } from 'vitest';
import { LatencySamples, percentile } from './latency.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('returns the sample at the ceiling of p% of the count', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('gives the smallest sample for p = 0 and a measured value, never an interpolation', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([1, 10], 50)).toBe(1);
    expect(percentile([1, 10], 51)).toBe(10);
  });

  it('is NaN for no samples and refuses a p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
    expect(() => percentile(hundred, Number.NaN)).toThrow(RangeError);
  });
});

describe('LatencySamples', () => {
  it('summarises samples added out of order', () => {
    const s = new LatencySamples(4);
    for (const v of [5, 1, 4, 2, 3]) s.add(v);
    const sum = s.summary();
    expect(sum).toMatchObject({ count: 5, minMs: 1, p50Ms: 3, p99Ms: 5, maxMs: 5, meanMs: 3 });
  });

  it('grows past the expected count without losing samples', () => {
    const s = new LatencySamples(2);
    for (let i = 1000; i >= 1; i--) s.add(i);
    expect(s.count).toBe(1000);
    expect(s.summary()).toMatchObject({ minMs: 1, p90Ms: 900, maxMs: 1000 });
  });

  it('merges another recorder and sorts a copy, keeping its own order', () => {
    const a = new LatencySamples();
    const b = new LatencySamples();
    a.add(3);
    b.add(1);
    b.add(2);
    a.merge(b);
    expect(Array.from(a.sorted())).toEqual([1, 2, 3]);
    a.add(0.5);
    expect(Array.from(a.sorted())).toEqual([0.5, 1, 2, 3]);
  });

  it('reports NaN figures when empty', () => {
    const sum = new LatencySamples().summary();
    expect(sum.count).toBe(0);
    expect(sum.p50Ms).toBeNaN();
    expect(sum.meanMs).toBeNaN();
  });
});
