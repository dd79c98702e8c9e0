import { DateTime } from 'luxon';
import { instantsOfWallTime, offsetMinutes, wallTimeToInstant } from '../kit/zone-clock.ts';

/**
 * Schedules are written in the site's local time ('2026-11-22 07:00' in America/New_York) and stored as
 * UTC instants. This is where the schedule's text and calendar days become instants; the zone's rules
 * and its cached offsets are the toolkit's wall clock (src/kit/zone-clock.ts), shared with the census
 * and the rule windows.
 */

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string };

const localPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const withOffset = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Reads 'YYYY-MM-DD HH:mm' (or with 'T', or with seconds) as wall-clock time in `zone`. A time that the
 * clocks skip (02:30 on the spring-forward day) does not exist and is refused rather than guessed. A time
 * that happens twice (01:30 on the fall-back day) means the first one, as most scheduling systems read it;
 * write an explicit offset ('2026-11-01 01:30-05:00') to mean the second.
 */
export function parseLocalTime(text: string, zone: string): LocalTimeResult {
  const trimmed = text.trim();
  if (withOffset.test(trimmed)) {
    const at = DateTime.fromISO(trimmed.replace(' ', 'T'), { setZone: true });
    return at.isValid
      ? { ok: true, at: at.toJSDate() }
      : { ok: false, message: `${text} is not a valid time` };
  }
  const m = localPattern.exec(trimmed);
  if (!m) return { ok: false, message: `${text} is not a time; write it as YYYY-MM-DD HH:mm` };
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => (v ? Number(v) : 0));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day
  ) {
    return { ok: false, message: `${text} is not a valid date and time` };
  }
  const found = instantsOfWallTime(zone, wall);
  if (found.length === 0) {
    return { ok: false, message: `${text} does not exist in ${zone}: the clocks skip it (daylight saving)` };
  }
  return { ok: true, at: new Date(found[0]) };
}

/** 'HH:mm' → minutes after local midnight, or undefined when it is not a time of day. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) return undefined;
  return hour * 60 + minute;
}

/** A calendar date in the site zone, counted in whole days since 1970-01-01 (a stable rotation index). */
export interface LocalDay {
  year: number;
  month: number;
  day: number;
  /** Days since 1970-01-01 of this calendar date (not of an instant). */
  ordinal: number;
}

/** The local calendar date of `at` in `zone`, moved by `offsetDays` calendar days. */
export function localDay(at: Date, zone: string, offsetDays = 0): LocalDay {
  const wall = at.getTime() + offsetMinutes(zone, at.getTime()) * MINUTE;
  const ordinal = Math.floor(wall / DAY) + offsetDays;
  const d = new Date(ordinal * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), ordinal };
}

/**
 * The instant at which the wall clock in `zone` shows `minutes` after midnight of `day` (minutes may pass
 * 1440 to reach the next days). Wall-clock arithmetic on purpose: a 07:00 handoff stays at 07:00 on
 * either side of a DST change, which makes the shift across the change 23 or 25 real hours long. A wall
 * time the clocks skip moves forward by the gap; one that happens twice means the first.
 */
export function atLocalTime(day: LocalDay, minutes: number, zone: string): Date {
  return new Date(wallTimeToInstant(zone, day.ordinal * DAY + minutes * MINUTE));
}

/** For messages: the instant as local time in `zone`, e.g. '2026-11-01 01:30 EDT'. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}
