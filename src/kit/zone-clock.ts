/**
 * Wall clocks in an IANA time zone, for everything that reads or writes the site's local time: rule
 * windows, coverage shifts, HL7 times without an offset, schedules written as '2026-11-22 07:00'.
 *
 * The zone rules come from luxon's IANAZone (the platform's tz database), asked only for offsets, and
 * the calendar arithmetic is done on plain UTC fields. Building a luxon DateTime per reading cost about
 * a millisecond (a fifth of the ingest CPU where the census read HL7 times, and seconds to load a month
 * of rotation), so each zone's offsets are cached per quarter hour: every zone in use today changes
 * offset on a whole quarter hour of UTC, so a cached offset is never wrong for its quarter.
 */
import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const BUCKET = 15 * MINUTE;
/** No zone is more than 14 hours from UTC, so at most one transition lies within this of a wall time. */
const WIDEST_OFFSET = 14 * 60 * MINUTE;
/** A zone's cache is emptied past this many quarter hours (about 5.7 years of distinct readings). */
const MAX_CACHED_QUARTERS = 200_000;

const zones = new Map<string, ((ms: number) => number) | undefined>();

export function isValidZone(zone: string): boolean {
  return zoneOffsets(zone) !== undefined;
}

/** The zone's offset from UTC in minutes at an instant; undefined for a name that is not an IANA zone. */
export function zoneOffsets(zone: string): ((ms: number) => number) | undefined {
  if (zones.has(zone)) return zones.get(zone);
  let offsetAt: ((ms: number) => number) | undefined;
  if (IANAZone.isValidZone(zone)) {
    const tz = IANAZone.create(zone);
    const byQuarter = new Map<number, number>();
    offsetAt = (ms: number) => {
      const quarter = Math.floor(ms / BUCKET);
      let offset = byQuarter.get(quarter);
      if (offset === undefined) {
        if (byQuarter.size > MAX_CACHED_QUARTERS) byQuarter.clear();
        offset = tz.offset(quarter * BUCKET);
        byQuarter.set(quarter, offset);
      }
      return offset;
    };
  }
  zones.set(zone, offsetAt);
  return offsetAt;
}

/** The zone's offset from UTC, in minutes, at instant `ms`. Throws on a name that is not an IANA zone. */
export function offsetMinutes(zone: string, ms: number): number {
  return offsetsOf(zone)(ms);
}

function offsetsOf(zone: string): (ms: number) => number {
  const offsetAt = zoneOffsets(zone);
  if (!offsetAt) throw new RangeError(`${zone} is not an IANA time zone`);
  return offsetAt;
}

export interface WallClock {
  /** Minutes after local midnight, 0–1439. */
  minute: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
}

/** What the wall clock in `zone` shows at `epochMs`. Throws on a name that is not an IANA zone. */
export function wallClock(epochMs: number, zone: string): WallClock {
  const local = new Date(epochMs + offsetsOf(zone)(epochMs) * MINUTE);
  return { minute: local.getUTCHours() * 60 + local.getUTCMinutes(), weekday: local.getUTCDay() || 7 };
}

/**
 * The instants at which the wall clock in `zone` reads `wall` (wall-clock fields written as if they were
 * UTC, i.e. Date.UTC(y, m-1, d, h, min)): one on an ordinary day, two in the repeated fall-back hour
 * (earliest first), none in the skipped spring-forward hour.
 */
export function instantsOfWallTime(zone: string, wall: number): number[] {
  const offsetAt = offsetsOf(zone);
  const found: number[] = [];
  for (const offset of new Set([offsetAt(wall - WIDEST_OFFSET), offsetAt(wall + WIDEST_OFFSET)])) {
    const at = wall - offset * MINUTE;
    if (offsetAt(at) === offset) found.push(at);
  }
  return found.sort((a, b) => a - b);
}

/**
 * The instant a wall clock on the ward shows `wall`, never failing: the first one when it happens twice
 * (Temporal's 'compatible' reading, and what most scheduling systems mean); when the clocks skip it, the
 * instant the skipped reading would have been under the old offset, which moves it forward by the gap
 * (02:30 on the spring-forward day becomes 03:30 daylight time), as luxon and most clocks do.
 */
export function wallTimeToInstant(zone: string, wall: number): number {
  const found = instantsOfWallTime(zone, wall);
  return found.length > 0 ? found[0] : wall - offsetMinutes(zone, wall - WIDEST_OFFSET) * MINUTE;
}
