/**
 * When a connector that sends its whole window (cadence other than onChange) is due: every N minutes since
 * its last run; daily at a local time; at a local time on the first day of each pay period. Times are the
 * site's wall clock (luxon), so "daily at 02:00" stays 02:00 across a DST change.
 */
import { DateTime } from 'luxon';
import type { Cadence } from './connector.ts';

/** The latest scheduled instant at or before `now` (undefined for onChange and every-N). */
export function lastSlot(cadence: Cadence, now: Date, zone: string): Date | undefined {
  const local = DateTime.fromJSDate(now, { zone });
  if (cadence.kind === 'daily') {
    const [h, m] = cadence.at.split(':').map(Number);
    let slot = local.set({ hour: h, minute: m, second: 0, millisecond: 0 });
    if (slot > local) slot = slot.minus({ days: 1 }).set({ hour: h, minute: m });
    return slot.toJSDate();
  }
  if (cadence.kind === 'payPeriod') {
    const [h, m] = cadence.at.split(':').map(Number);
    const anchor = DateTime.fromISO(cadence.anchor, { zone }).startOf('day');
    const days = Math.floor(local.startOf('day').diff(anchor, 'days').days);
    let start = anchor.plus({ days: Math.floor(days / cadence.days) * cadence.days });
    let slot = start.set({ hour: h, minute: m });
    if (slot > local) {
      start = start.minus({ days: cadence.days });
      slot = start.set({ hour: h, minute: m });
    }
    return slot.toJSDate();
  }
  return undefined;
}

/** Whether a window-sending connector runs now, given when it last ran (undefined: never). */
export function isDue(cadence: Cadence, lastRun: Date | undefined, now: Date, zone: string): boolean {
  if (cadence.kind === 'onChange') return false;
  if (!lastRun) return true;
  if (cadence.kind === 'every') return now.getTime() - lastRun.getTime() >= cadence.minutes * 60_000;
  const slot = lastSlot(cadence, now, zone);
  return slot !== undefined && lastRun < slot;
}
