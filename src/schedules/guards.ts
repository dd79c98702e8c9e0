import type { PlannedChange, Shift } from '../store/schedule-port.ts';

/** How far ahead the mass-delete guard looks: the shifts that will page someone soon. */
export const GUARD_HORIZON_MS = 48 * 3_600_000;

export interface MassDeleteVerdict {
  hold: boolean;
  /** Stored shifts of the next 48 hours this sync removes... */
  removes: number;
  /** ...of how many stored now. */
  ofTotal: number;
  /** Their ids, sorted: the next sync "agrees" with a held one when it removes the same shifts. */
  removedIds: string[];
}

/**
 * The mass-delete guard: a sync that would remove more than `share` of the source's shifts in the next 48
 * hours is more likely a broken export (an empty file, a filter gone wrong, the wrong schedule) than a
 * real change, so it is held for a person to confirm. Shifts further out are not counted: a schedule
 * published months ahead may legitimately be rebuilt.
 */
export function massDeleteVerdict(
  changes: readonly PlannedChange[],
  storedSoon: readonly Shift[],
  now: Date,
  share: number,
): MassDeleteVerdict {
  const from = now.getTime();
  const to = from + GUARD_HORIZON_MS;
  const soon = (s: Shift) => s.start.getTime() < to && s.end.getTime() > from;
  const removedIds = changes
    .filter((c) => c.after === null && c.before !== null && soon(c.before))
    .map((c) => c.shiftId)
    .sort();
  const ofTotal = storedSoon.filter(soon).length;
  const removes = removedIds.length;
  return { hold: ofTotal > 0 && removes / ofTotal > share, removes, ofTotal, removedIds };
}

/** Whether two syncs remove the same shifts (the second "agrees" with the first). */
export function sameRemovals(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
