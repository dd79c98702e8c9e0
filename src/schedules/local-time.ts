import { DateTime, IANAZone } from 'luxon';

/**
 * Schedules are written in the site's local time ('2026-11-22 07:00' in America/New_York) and stored as
 * UTC instants. This is the one place that turns one into the other, with the DST rules of the zone.
 *
 * The zone rules come from luxon's IANAZone (the platform's tz database). Building whole luxon DateTimes
 * cost about 1.5 ms per shift here, so a month of demo rotation took seconds to load, and a large CSV would
 * take minutes; the conversion below asks the zone only for offsets, memoised per quarter hour, and does
 * the calendar arithmetic on plain UTC fields.
 */

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string };

const localPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const withOffset = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

const MINUTE = 60_000;
const DAY = 86_400_000;
/** No zone is more than 14 hours from UTC, so one transition at most lies within this of a wall time. */
const WIDEST_OFFSET = 14 * 3_600_000;
/** Transitions fall on whole quarter hours of UTC in every zone in use today (offsets are multiples of 15'). */
const BUCKET = 15 * MINUTE;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const offsetCache = new Map<string, Map<number, number>>();

/** The zone's offset from UTC, in minutes, at instant `ms`. */
export function offsetMinutes(zone: string, ms: number): number {
  let byBucket = offsetCache.get(zone);
  if (!byBucket) {
    byBucket = new Map();
    offsetCache.set(zone, byBucket);
  }
  const bucket = Math.floor(ms / BUCKET);
  let offset = byBucket.get(bucket);
  if (offset === undefined) {
    if (byBucket.size > 200_000) byBucket.clear();
    offset = IANAZone.create(zone).offset(bucket * BUCKET);
    byBucket.set(bucket, offset);
  }
  return offset;
}

/**
 * The instants at which the wall clock in `zone` reads `wall` (wall-clock fields written as if they were
 * UTC, i.e. Date.UTC(y, m-1, d, h, min)): one on an ordinary day, two in the repeated fall-back hour
 * (earliest first), none in the skipped spring-forward hour.
 */
export function instantsOfWallTime(zone: string, wall: number): number[] {
  const offsets = new Set([
    offsetMinutes(zone, wall - WIDEST_OFFSET),
    offsetMinutes(zone, wall + WIDEST_OFFSET),
  ]);
  const found: number[] = [];
  for (const o of offsets) {
    const at = wall - o * MINUTE;
    if (offsetMinutes(zone, at) === o) found.push(at);
  }
  return found.sort((a, b) => a - b);
}

/**
 * The instant a wall clock on the ward shows `wall`: the first one when it happens twice; when the clocks
 * skip it, the instant the skipped reading would have been under the old offset (02:30 on the spring-
 * forward day becomes 03:30 daylight time), as luxon and most clocks do.
 */
function wallToInstant(zone: string, wall: number): number {
  const found = instantsOfWallTime(zone, wall);
  return found.length > 0 ? found[0] : wall - offsetMinutes(zone, wall - WIDEST_OFFSET) * MINUTE;
}

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
export function wallClock(day: LocalDay, minutes: number, zone: string): Date {
  return new Date(wallToInstant(zone, day.ordinal * DAY + minutes * MINUTE));
}

/** For messages: the instant as local time in `zone`, e.g. '2026-11-01 01:30 EDT'. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}
