/**
 * Local wall-clock readings in an IANA zone, fast enough for every message: the zone's offset is looked
 * up through luxon (Intl) once per quarter hour and cached. Every real zone changes offset on a quarter
 * hour, so the cache never answers wrongly. Building a luxon DateTime per reading had cost a fifth of
 * the ingest CPU where the census read HL7 times.
 */
import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const BUCKET = 15 * MINUTE;
const zones = new Map<string, ((ms: number) => number) | undefined>();

/** The zone's offset from UTC in minutes at an instant; undefined for a name that is not an IANA zone. */
export function zoneOffsets(zone: string): ((ms: number) => number) | undefined {
  if (zones.has(zone)) return zones.get(zone);
  let fn: ((ms: number) => number) | undefined;
  if (IANAZone.isValidZone(zone)) {
    const tz = IANAZone.create(zone);
    const cache = new Map<number, number>();
    fn = (ms: number) => {
      const bucket = Math.floor(ms / BUCKET);
      let o = cache.get(bucket);
      if (o === undefined) {
        if (cache.size > 100_000) cache.clear();
        o = tz.offset(bucket * BUCKET);
        cache.set(bucket, o);
      }
      return o;
    };
  }
  zones.set(zone, fn);
  return fn;
}

export interface WallClock {
  /** Minutes after local midnight, 0–1439. */
  minute: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
}

/** What the wall clock in `zone` shows at `epochMs`. Throws on a name that is not an IANA zone. */
export function wallClock(epochMs: number, zone: string): WallClock {
  const offsetAt = zoneOffsets(zone);
  if (!offsetAt) throw new RangeError(`${zone} is not an IANA time zone`);
  const local = new Date(epochMs + offsetAt(epochMs) * MINUTE);
  return { minute: local.getUTCHours() * 60 + local.getUTCMinutes(), weekday: local.getUTCDay() || 7 };
}
