/**
 * Calendar days for the sources that are asked by date and answer with a date and wall-clock times
 * (Amion, ShiftAdmin, a CSV drop with a date column). Instants come from the site's wall clock
 * (schedules/local-time.ts), so a 19:00–07:00 night across the fall-back change lasts 13 hours and a
 * 07:00 handoff stays at 07:00 on both sides of a change.
 */
import { DateTime } from 'luxon';
import { instantsOfWallTime, wallTimeToInstant } from '../../kit/zone-clock.ts';
import { atLocalTime, type LocalDay, localDay } from '../local-time.ts';
import type { SourceShift } from './source.ts';

const DAY = 86_400_000;

/** The calendar date year-month-day, or undefined when there is no such date. */
export function calendarDay(year: number, month: number, day: number): LocalDay | undefined {
  const at = Date.UTC(year, month - 1, day);
  const d = new Date(at);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return { year, month, day, ordinal: at / DAY };
}

export function addDays(day: LocalDay, days: number): LocalDay {
  const d = new Date((day.ordinal + days) * DAY);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    ordinal: day.ordinal + days,
  };
}

/** 'YYYY-MM-DD' */
export function isoDate(day: LocalDay): string {
  return `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
}

/**
 * The local days to ask a by-date source for so that every shift overlapping [from, to) is in the
 * answer: such sources list a shift under the day it starts, so a night that began the evening before
 * `from` is listed under the day before. `longestShiftDays` is how far back a shift can start and still
 * reach `from`.
 */
export function daysCovering(from: Date, to: Date, zone: string, longestShiftDays = 1): LocalDay[] {
  const first = localDay(from, zone, -longestShiftDays);
  const last = localDay(new Date(to.getTime() - 1), zone);
  const days: LocalDay[] = [];
  for (let o = first.ordinal; o <= last.ordinal; o++) days.push(addDays(first, o - first.ordinal));
  return days;
}

/** Consecutive runs of at most `size` days, for sources that cap the days of one request. */
export function runsOf(days: readonly LocalDay[], size: number): LocalDay[][] {
  const runs: LocalDay[][] = [];
  for (let i = 0; i < days.length; i += size) runs.push(days.slice(i, i + size));
  return runs;
}

/**
 * A shift written as a date and two times of day, in minutes after midnight: an end at or before the
 * start is on the next day (a night shift), and an end equal to the start makes a 24-hour shift (to the
 * same wall time the next day).
 */
export function shiftOnDay(day: LocalDay, startMinute: number, endMinute: number, zone: string) {
  const start = atLocalTime(day, startMinute, zone);
  const end = atLocalTime(day, endMinute > startMinute ? endMinute : endMinute + 1440, zone);
  return { start, end };
}

/** Only the shifts that overlap [from, to): a by-date answer also holds shifts wholly before `from`. */
export function overlapping(shifts: SourceShift[], from: Date, to: Date): SourceShift[] {
  return shifts.filter((s) => s.end > from && s.start < to);
}

/** A date-time as written: wall-clock fields (written as if UTC), or an instant when an offset was given. */
export interface WrittenTime {
  wall: number;
  instant?: number;
}

/** 'YYYY-MM-DD HH:mm[:ss]' (space or T) as wall-clock fields, or an ISO time with an offset as an instant. */
export function readDateTime(value: unknown): WrittenTime | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const instant = Date.parse(text);
    return Number.isNaN(instant) ? undefined : { wall: instant, instant };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  if (!calendarDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  return { wall: Date.UTC(y, mo - 1, d, h, mi, s) };
}

/** Text in a luxon format ('MM/dd/yyyy h:mm a') as wall-clock fields, or undefined when it does not fit. */
export function readFormatted(text: string, format: string): WrittenTime | undefined {
  const at = DateTime.fromFormat(text.trim(), format, { zone: 'utc' });
  return at.isValid ? { wall: at.toMillis() } : undefined;
}

/**
 * The instants of a shift written as two date-times. A start the clocks skip moves forward by the gap; a
 * start in the repeated fall-back hour is the first one, and an end there the first one after the start.
 */
export function shiftBetween(start: WrittenTime, end: WrittenTime, zone: string): { start: Date; end: Date } {
  const from = start.instant ?? wallTimeToInstant(zone, start.wall);
  const to =
    end.instant ??
    instantsOfWallTime(zone, end.wall).find((t) => t > from) ??
    wallTimeToInstant(zone, end.wall);
  return { start: new Date(from), end: new Date(to) };
}
