/**
 * Reads QGenda schedule entries (`GET /v2/schedule`) into the engine's SourceShift. The instants come from
 * StartDateUTC/EndDateUTC, which QGenda computes with its own DST rules; the local StartDate/StartTime and
 * EndDate/EndTime are read back against them in the entry's zone. A row whose two readings disagree is a
 * row QGenda (or a proxy, or a zone table) got wrong: it is refused with both readings, never guessed.
 */
import { isValidZone, offsetMinutes } from '../../kit/zone-clock.ts';
import type { SourceShift } from './source.ts';

/** Source field names the engine's mapping can match on, as QGenda spells them. */
const staffFields = [
  'StaffKey',
  'StaffId',
  'StaffAbbrev',
  'StaffFName',
  'StaffLName',
  'StaffEmail',
  'StaffNpi',
  'StaffExtCallSysId',
];
const taskFields = ['TaskKey', 'TaskId', 'TaskName', 'TaskAbbrev', 'TaskExtCallSysId'];

/** The fields a window pull asks for with `$select`; QGenda sends many more when not asked. */
export const qgendaFields: readonly string[] = [
  'ScheduleKey',
  'StartDate',
  'StartTime',
  'EndDate',
  'EndTime',
  'StartDateUTC',
  'EndDateUTC',
  'IsPublished',
  'IsStruck',
  'Notes',
  'LastModifiedDateUTC',
  'TimeZone',
  ...staffFields,
  ...taskFields,
];

export type QGendaRow = Record<string, unknown>;

export type RowReading =
  /** A shift to keep. */
  | { kind: 'shift'; key: string; shift: SourceShift; modified?: Date }
  /** Struck (cancelled) or deleted in QGenda: gone. */
  | { kind: 'gone'; key: string; modified?: Date }
  /** Not readable, or its UTC and local times disagree. */
  | { kind: 'refused'; key: string; problem: string };

/**
 * One schedule entry; `zone` is the site's, used when the entry names no IANA zone of its own. With
 * `shared`, rows naming the same staff (or task) share one record: a large pull names a few thousand
 * people across tens of thousands of rows.
 */
export function readQGendaRow(
  row: QGendaRow,
  index: number,
  zone: string,
  shared?: SharedRecords,
): RowReading {
  const key = text(row.ScheduleKey);
  if (!key) return { kind: 'refused', key: `row ${index + 1}`, problem: 'has no ScheduleKey' };
  const at = `ScheduleKey ${key}`;
  const modified = utcInstant(row.LastModifiedDateUTC);
  if (row.IsDeleted === true || row.IsStruck === true) return { kind: 'gone', key, modified };
  const start = utcInstant(row.StartDateUTC);
  const end = utcInstant(row.EndDateUTC);
  if (!start || !end)
    return { kind: 'refused', key: at, problem: 'has no readable StartDateUTC and EndDateUTC' };
  if (end <= start)
    return { kind: 'refused', key: at, problem: `ends (${iso(end)}) before it starts (${iso(start)})` };
  const localZone = zoneOfRow(text(row.TimeZone), zone);
  const problem =
    localProblem('start', start, row.StartDate, row.StartTime, localZone) ??
    localProblem('end', end, row.EndDate, row.EndTime, localZone);
  if (problem) return { kind: 'refused', key: at, problem };
  const shift: SourceShift = {
    sourceId: key,
    staff: pick(row, staffFields, shared?.staff),
    task: pick(row, taskFields, shared?.task),
    start,
    end,
    published: row.IsPublished !== false,
    at,
  };
  const notes = text(row.Notes);
  if (notes) shift.notes = notes;
  return { kind: 'shift', key, shift, modified };
}

/** Why a row's local start or end disagrees with its UTC one (or cannot be read); undefined when it agrees. */
function localProblem(
  which: 'start' | 'end',
  instant: Date,
  date: unknown,
  time: unknown,
  zone: string,
): string | undefined {
  const local = localReading(date, time);
  if (local === undefined) return undefined;
  if (local === null) return `its local ${which} (${String(date)} ${String(time)}) is not readable`;
  const ms = instant.getTime();
  const wall = ms + offsetMinutes(zone, ms) * 60_000;
  if (wall - (((wall % MINUTE) + MINUTE) % MINUTE) === local) return undefined;
  return `its ${which} is ${iso(instant)} in UTC, which is ${wallText(wall)} in ${zone}, but its local ${which} says ${wallText(local)}`;
}

/**
 * Windows time zone ids (as .NET services such as QGenda's name a location's zone) for the zones of the
 * sites QGenda serves, with their IANA zone (the CLDR windowsZones mapping for the territory "001").
 */
const windowsZones: Readonly<Record<string, string>> = {
  'Eastern Standard Time': 'America/New_York',
  'US Eastern Standard Time': 'America/Indiana/Indianapolis',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Alaskan Standard Time': 'America/Anchorage',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'GMT Standard Time': 'Europe/London',
  'AUS Eastern Standard Time': 'Australia/Sydney',
};

/** The zone an entry's local times are in: its location's (an IANA or Windows id), else the site's. */
function zoneOfRow(named: string | undefined, siteZone: string): string {
  if (!named) return siteZone;
  if (isValidZone(named)) return named;
  return windowsZones[named] ?? siteZone;
}

/** The staff and task records of one pull, one per distinct one, by their first field's value. */
export class SharedRecords {
  readonly staff = new Map<unknown, Array<Readonly<Record<string, string>>>>();
  readonly task = new Map<unknown, Array<Readonly<Record<string, string>>>>();
}

function pick(
  row: QGendaRow,
  fields: readonly string[],
  shared: Map<unknown, Array<Readonly<Record<string, string>>>> | undefined,
): Readonly<Record<string, string>> {
  const bucket = shared?.get(row[fields[0]]);
  if (bucket) {
    for (const known of bucket) if (sameRecord(known, row, fields)) return known;
  }
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = text(row[f]);
    if (v) out[f] = v;
  }
  if (bucket) bucket.push(out);
  else shared?.set(row[fields[0]], [out]);
  return out;
}

/** Whether the row's fields read as the record (a field the row lacks is one the record lacks). */
function sameRecord(
  known: Readonly<Record<string, string>>,
  row: QGendaRow,
  fields: readonly string[],
): boolean {
  for (const f of fields) if (known[f] !== text(row[f])) return false;
  return true;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** QGenda's UTC stamps, with or without the Z (they are UTC either way). */
export function utcInstant(v: unknown): Date | undefined {
  // Nearly every stamp is 'YYYY-MM-DDTHH:mm:ss': read without a regex, which would be most of a row's cost.
  if (typeof v === 'string' && (v.length === 19 || (v.length === 20 && v.charCodeAt(19) === 90))) {
    const ms = plainStamp(v);
    if (ms !== undefined) return ms === null ? undefined : new Date(ms);
  }
  const t = text(v);
  if (!t) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]00:?00)?$/i.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  return realTime(y, mo, d, h, mi, s) ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : undefined;
}

const MINUTE = 60_000;

/** 'YYYY-MM-DDTHH:mm:ss' in ms; null when it has that shape but no such instant; undefined otherwise. */
function plainStamp(t: string): number | undefined | null {
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84) return undefined;
  if (t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const s = digits(t, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined;
  return realTime(y, mo, d, h, mi, s) ? Date.UTC(y, mo - 1, d, h, mi, s) : null;
}

/** The number written by `n` ASCII digits at `at`, or -1. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Whether the fields name a moment that exists (no 31 April, no 24:00), without making a Date. */
function realTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

function daysIn(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/** 'YYYY-MM-DD HH:mm' of a wall time (its fields written as UTC). */
function wallText(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The local date and time of a row as a wall time (its fields written as UTC, whole minutes); undefined
 * when the row has neither (nothing to check), null when it has them but they cannot be read. Dates come
 * as '2026-03-08T00:00:00' or '03/08/2026'; times as '07:00', '07:00:00', '7:00 AM' or a date-time whose
 * time part is meant.
 */
function localReading(dateValue: unknown, timeValue: unknown): number | undefined | null {
  const date = text(dateValue);
  const time = text(timeValue);
  if (!date && !time) return undefined;
  if (!date || !time) return null;
  let y = digits(date, 0, 4);
  let mo = -1;
  let d = -1;
  if (y >= 0 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    // '2026-03-08T00:00:00', what QGenda sends.
    mo = digits(date, 5, 2);
    d = digits(date, 8, 2);
  } else {
    const usDate = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(date);
    if (!usDate) return null;
    [y, mo, d] = [Number(usDate[3]), Number(usDate[1]), Number(usDate[2])];
  }
  if (mo < 0 || d < 0) return null;
  let hour: number;
  let minute: number;
  if (time.length === 5 && time.charCodeAt(2) === 58) {
    // 'HH:mm', what QGenda sends.
    hour = digits(time, 0, 2);
    minute = digits(time, 3, 2);
    if (hour < 0 || minute < 0) return null;
  } else {
    const clock = /(?:^|T|\s)(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*([AaPp][Mm])?$/.exec(time);
    if (!clock) return null;
    hour = Number(clock[1]);
    minute = Number(clock[2]);
    const half = clock[3]?.toUpperCase();
    if (half && (hour < 1 || hour > 12)) return null;
    if (half === 'AM' && hour === 12) hour = 0;
    if (half === 'PM' && hour !== 12) hour += 12;
  }
  // A day past the month's end (02/30) is no date, so it matches no wall clock.
  return realTime(y, mo, d, hour, minute, 0) ? Date.UTC(y, mo - 1, d, hour, minute) : null;
}
