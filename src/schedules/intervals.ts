/** Half-open time intervals [start, end), the shape of every shift and every coverage gap. */
export interface Interval {
  start: Date;
  end: Date;
}

/** Sorts and joins intervals that overlap or touch: [07:00, 19:00) and [19:00, 07:00) become one. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals
    .filter((i) => i.end.getTime() > i.start.getTime())
    .map((i) => [i.start.getTime(), i.end.getTime()] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out.map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

/** The parts of [from, to) that no interval in `covered` covers, in order. */
export function uncovered(from: Date, to: Date, covered: readonly Interval[]): Interval[] {
  const gaps: Interval[] = [];
  let cursor = from.getTime();
  const stop = to.getTime();
  for (const c of mergeIntervals(covered)) {
    if (cursor >= stop) break;
    const s = c.start.getTime();
    const e = c.end.getTime();
    if (e <= cursor) continue;
    if (s > cursor) gaps.push({ start: new Date(cursor), end: new Date(Math.min(s, stop)) });
    cursor = Math.max(cursor, e);
  }
  if (cursor < stop) gaps.push({ start: new Date(cursor), end: new Date(stop) });
  return gaps;
}
