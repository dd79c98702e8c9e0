import { DateTime, IANAZone } from 'luxon';

/**
 * Schedules are written in the site's local time ('2026-11-22 07:00' in America/New_York) and stored as
 * UTC instants. This is the one place that turns one into the other, with the DST rules of the zone.
 */

export type LocalTimeResult = { ok: true; at: Date } | { ok: false; message: string };

const localPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const withOffset = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
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
  const parts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] ? Number(m[6]) : 0,
  };
  const at = DateTime.fromObject(parts, { zone });
  if (!at.isValid) return { ok: false, message: `${text} is not a valid time (${at.invalidExplanation})` };
  if (at.hour !== parts.hour || at.minute !== parts.minute || at.day !== parts.day) {
    return { ok: false, message: `${text} does not exist in ${zone}: the clocks skip it (daylight saving)` };
  }
  return { ok: true, at: earliest(at).toJSDate() };
}

/** Of the instants a wall-clock time may mean (two in the repeated fall-back hour), the first. */
function earliest(at: DateTime): DateTime {
  return at.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), at);
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
  const d = DateTime.fromJSDate(at, { zone }).startOf('day').plus({ days: offsetDays });
  return {
    year: d.year,
    month: d.month,
    day: d.day,
    ordinal: Math.round(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000),
  };
}

/**
 * The instant at which the wall clock in `zone` shows `minutes` after midnight of `day` (minutes may pass
 * 1440 to reach the next days). Wall-clock arithmetic on purpose: a 07:00 handoff stays at 07:00 on
 * either side of a DST change, which makes the shift across the change 23 or 25 real hours long. When the
 * wall time is skipped (spring forward), luxon moves it forward by the gap, which is what a clock on the
 * ward shows; a wall time that happens twice (fall back) means the first.
 */
export function wallClock(day: LocalDay, minutes: number, zone: string): Date {
  const extraDays = Math.floor(minutes / 1440);
  const inDay = minutes - extraDays * 1440;
  const at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day }, { zone })
    .plus({ days: extraDays })
    .set({ hour: Math.floor(inDay / 60), minute: inDay % 60 });
  return earliest(at).toJSDate();
}

/** For messages: the instant as local time in `zone`, e.g. '2026-11-01 01:30 EDT'. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm ZZZZ');
}
