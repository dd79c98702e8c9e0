/**
 * This process's memory as a series of points, the heap taken after a forced full GC so that garbage
 * waiting to be collected does not read as growth. "Flat" is then judged by a number: the least-squares
 * slope of the heap over the points, in MB per minute.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full GC: node's own `gc` under `--expose-gc`; otherwise the flag is set now and `gc` taken from a
 * fresh context (V8 installs it in contexts made after the flag), so `npm run bench` needs no node flag.
 */
export function fullGc(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (own) return own;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface MemoryPoint {
  label: string;
  /** Milliseconds since the series began. */
  atMs: number;
  /** V8 heap in use after a full GC. */
  heapMb: number;
  rssMb: number;
  /** Memory outside the V8 heap that JS objects hold (Buffers, native addons' allocations reported to V8). */
  externalMb: number;
}

const MB = 1048576;

export class MemorySeries {
  readonly points: MemoryPoint[] = [];
  private readonly gc = fullGc();
  private readonly began = performance.now();

  /** Collects garbage, then records the heap and RSS under `label`. Pauses the event loop for the GC. */
  take(label: string): MemoryPoint {
    // Twice: the first pass may run finalizers whose objects the second one frees.
    this.gc();
    this.gc();
    const m = process.memoryUsage();
    const point = {
      label,
      atMs: performance.now() - this.began,
      heapMb: m.heapUsed / MB,
      rssMb: m.rss / MB,
      externalMb: m.external / MB,
    };
    this.points.push(point);
    return point;
  }
}

/** Least-squares slope of `value` over the points' times, per minute; NaN with fewer than two points. */
export function slopePerMinute(points: readonly MemoryPoint[], value: (p: MemoryPoint) => number): number {
  if (points.length < 2) return Number.NaN;
  const xs = points.map((p) => p.atMs / 60_000);
  const ys = points.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
