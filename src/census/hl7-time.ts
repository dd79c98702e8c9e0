/**
 * HL7 v2 date/time values (DTM, HL7 v2.5 chapter 2A.22: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]).
 * A value without an offset is local time at the sender, which for an ADT feed is the site: it is read
 * in the site's IANA zone, so that 01:30 on a fall-back night is taken as the first 01:30 and a time
 * inside the spring-forward gap moves forward, never fails.
 */
import { DateTime } from 'luxon';

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

/** The instant a DTM names, or undefined when the text is empty, HL7 null (`""`), or not a DTM. */
export function parseHl7Time(text: string | undefined, zone: string): Date | undefined {
  if (text === undefined) return undefined;
  const m = DTM.exec(text.trim());
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = m;
  const parts = {
    year: Number(year),
    month: Number(month ?? 1),
    day: Number(day ?? 1),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    millisecond: fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0,
  };
  if (offset !== undefined) {
    const at = DateTime.fromObject(parts, { zone: `UTC${offset.slice(0, 3)}:${offset.slice(3)}` });
    return at.isValid ? at.toJSDate() : undefined;
  }
  const at = DateTime.fromObject(parts, { zone });
  if (!at.isValid) return undefined;
  // A wall time that happens twice (fall back) is taken at its first occurrence, as Temporal's
  // 'compatible' disambiguation does: the earliest instant is the one that has surely happened.
  const candidates = at.getPossibleOffsets().map((d) => d.toMillis());
  return new Date(Math.min(at.toMillis(), ...candidates));
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
