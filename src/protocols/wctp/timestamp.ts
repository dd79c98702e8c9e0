import { WctpError } from './wctp-error.ts';

// WCTP timestamps are "YYYY-MM-DDTHH:MM:SS" in UTC with no zone designator (WCTP 1.3, "Date and
// time format"). Senders also add fractions of a second, a "Z" or a numeric offset; we accept those
// on input and always write the plain form.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a WCTP timestamp as a Date. Throws WctpError 405 (invalid date/time) when the text is not
 * a timestamp or names a day that does not exist (2024-02-30).
 */
export function parseWctpTimestamp(text: string, attributeName = 'timestamp'): Date {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) throw new WctpError(405, `${attributeName} is not a WCTP date/time (YYYY-MM-DDTHH:MM:SS)`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(utc);
  const fieldsSurvived =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!fieldsSurvived) throw new WctpError(405, `${attributeName} names a date/time that does not exist`);
  const zone = match[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    if (offsetMinutes > 14 * 60) throw new WctpError(405, `${attributeName} has an impossible UTC offset`);
    return new Date(utc - sign * offsetMinutes * 60_000);
  }
  return date;
}

/** Writes a Date the way WCTP wants it: UTC, whole seconds, no zone designator. */
export function formatWctpTimestamp(date: Date): string {
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new RangeError('formatWctpTimestamp: the Date is invalid or outside years 0000-9999');
  }
  return date.toISOString().slice(0, 19);
}
