import { describe, expect, it } from 'vitest';
import { fullGc, type MemoryPoint, MemorySeries, slopePerMinute } from './memory.ts';

const at = (minutes: number, heapMb: number): MemoryPoint => ({
  label: '',
  atMs: minutes * 60_000,
  heapMb,
  rssMb: 0,
  externalMb: 0,
});

describe('slopePerMinute', () => {
  it('is the least-squares slope per minute, whatever the spacing of the points', () => {
    expect(slopePerMinute([at(0, 10), at(1, 12), at(3, 16)], (p) => p.heapMb)).toBeCloseTo(2);
    expect(slopePerMinute([at(0, 10), at(0.5, 10), at(1, 10)], (p) => p.heapMb)).toBe(0);
  });

  it('is NaN for fewer than two points or points at one instant', () => {
    expect(slopePerMinute([at(0, 10)], (p) => p.heapMb)).toBeNaN();
    expect(slopePerMinute([at(1, 10), at(1, 20)], (p) => p.heapMb)).toBeNaN();
  });
});

describe('MemorySeries', () => {
  it('takes the heap after a full GC, so garbage does not read as growth', () => {
    const series = new MemorySeries();
    const before = series.take('before');
    let garbage: object[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    expect(garbage.length).toBe(200_000);
    garbage = undefined;
    const after = series.take('after');
    expect(after.heapMb - before.heapMb).toBeLessThan(2);
    expect(series.points.map((p) => p.label)).toEqual(['before', 'after']);
  });

  it('finds a gc without --expose-gc', () => {
    expect(typeof fullGc()).toBe('function');
  });
});
