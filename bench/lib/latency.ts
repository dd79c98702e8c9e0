/**
 * Latency samples for benchmarks: a preallocated array of milliseconds (no allocation per sample, so the
 * recorder does not disturb what it measures) and nearest-rank percentiles over it.
 */

export interface LatencySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export class LatencySamples {
  private values: Float64Array;
  private n = 0;

  constructor(expected = 1024) {
    this.values = new Float64Array(Math.max(1, expected));
  }

  /** Records one latency in milliseconds; grows (doubling) past the expected count. */
  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** Adds every sample of another recorder (per-connection recorders merged into one). */
  merge(other: LatencySamples): void {
    for (let i = 0; i < other.n; i++) this.add(other.values[i]);
  }

  /** The samples in ascending order (a copy; the recorder keeps its insertion order). */
  sorted(): Float64Array {
    return this.values.slice(0, this.n).sort();
  }

  summary(): LatencySummary {
    const s = this.sorted();
    let total = 0;
    for (let i = 0; i < s.length; i++) total += s[i];
    return {
      count: s.length,
      minMs: s.length ? s[0] : Number.NaN,
      p50Ms: percentile(s, 50),
      p90Ms: percentile(s, 90),
      p99Ms: percentile(s, 99),
      p999Ms: percentile(s, 99.9),
      maxMs: s.length ? s[s.length - 1] : Number.NaN,
      meanMs: s.length ? total / s.length : Number.NaN,
    };
  }
}

/**
 * Nearest-rank percentile of an ascending array: the smallest sample such that at least p% of the samples
 * are less than or equal to it. Unlike interpolation it always returns a value that was measured.
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAscending[rank - 1];
}
