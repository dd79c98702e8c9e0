/**
 * HL7 v2 date/time values (DTM, HL7 v2.5 chapter 2A.22: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]).
 * A value without an offset is local time at the sender, which for an ADT feed is the site: it is read
 * in the site's IANA zone, so that 01:30 on a fall-back night is taken as the first 01:30 and a time
 * inside the spring-forward gap moves forward, never fails.
 */
import { isValidZone, wallTimeToInstant } from '../kit/zone-clock.ts';

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;
const MINUTE = 60_000;

/**
 * The instant a DTM names, or undefined when the text is empty, HL7 null (`""`), or not a DTM.
 * Every ADT carries several times, so this reads the zone through the toolkit's cached offsets rather
 * than building a luxon DateTime per value.
 */
export function parseHl7Time(text: string | undefined, zone: string): Date | undefined {
  if (text === undefined) return undefined;
  const m = DTM.exec(text.trim());
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = m;
  const [y, mo, d, h, mi, se] = [
    year,
    month ?? '1',
    day ?? '1',
    hour ?? '0',
    minute ?? '0',
    second ?? '0',
  ].map(Number);
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  // Wall-clock fields written as if they were UTC; refuse impossible ones (month 13, 31 April, 25:00).
  const wall = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const check = new Date(wall);
  if (
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    mi > 59 ||
    se > 59
  ) {
    return undefined;
  }
  if (offset !== undefined) {
    const sign = offset[0] === '-' ? -1 : 1;
    const minutes = Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3));
    return new Date(wall - sign * minutes * MINUTE);
  }
  if (!isValidZone(zone)) return undefined;
  // A wall time that happens twice (fall back) is its first occurrence; one the clocks skip (spring
  // forward) moves forward by the gap (02:30 becomes 03:30 daylight time).
  return new Date(wallTimeToInstant(zone, wall));
}

/**
 * A birth date (PID-7) as the calendar date it is, 'YYYY-MM-DD' (or 'YYYY-MM' / 'YYYY' when sent with
 * less precision). A birth date is not converted between zones: the day someone was born stays that day.
 */
export function parseHl7Date(text: string | undefined): string {
  if (text === undefined) return '';
  const m = /^(\d{4})(\d{2})?(\d{2})?/.exec(text.trim());
  if (m === null) return '';
  return [m[1], m[2], m[3]].filter((p) => p !== undefined).join('-');
}
