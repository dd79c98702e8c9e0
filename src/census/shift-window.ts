/**
 * A staff coverage window: the local wall-clock hours a nurse or tech covers a bed, e.g. 07:00–19:00
 * for days and 19:00–07:00 for nights. It is compared with the wall clock in the site's zone, not with
 * a count of hours: on the spring-forward night a 19:00–07:00 shift lasts 11 hours and on the fall-back
 * night 13, and it is still the night nurse who covers the bed at 02:30 or at the second 01:30.
 */
import { wallClock } from '../kit/zone-clock.ts';

export interface ShiftWindow {
  /** Minutes after local midnight, 0–1439. */
  start: number;
  /** Minutes after local midnight, 1–1440; not after `start` means the window crosses midnight. */
  end: number;
}

const CLOCK = /^(\d{1,2}):(\d{2})$/;

/** 'HH:MM' as minutes after midnight; '24:00' only when `allowMidnightEnd`. Undefined when malformed. */
export function parseClock(text: string, allowMidnightEnd = false): number | undefined {
  const m = CLOCK.exec(text.trim());
  if (m === null) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && allowMidnightEnd) return 1440;
  if (hours > 23) return undefined;
  return hours * 60 + minutes;
}

/** 'HH:MM' for minutes after midnight. */
export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Minutes after local midnight that the wall clock in `zone` shows at `at`. Throws on an unknown zone. */
export function wallClockMinutes(at: Date, zone: string): number {
  return wallClock(at.getTime(), zone).minute;
}

/**
 * Whether the window covers wall-clock minute `minute`. Start inclusive, end exclusive, so that the
 * day nurse hands over to the night nurse at 19:00 sharp and both are never answered at once. A window
 * whose start equals its end covers the whole day (a 24-hour shift handing over at that time).
 */
export function windowCovers(window: ShiftWindow, minute: number): boolean {
  const { start, end } = window;
  if (start === end % 1440) return true;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}
