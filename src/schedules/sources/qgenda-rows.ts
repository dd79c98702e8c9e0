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

/** One schedule entry; `zone` is the site's, used when the entry names no IANA zone of its own. */
export function readQGendaRow(row: QGendaRow, index: number, zone: string): RowReading {
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
  for (const [which, instant, date, time] of [
    ['start', start, row.StartDate, row.StartTime],
    ['end', end, row.EndDate, row.EndTime],
  ] as const) {
    const local = localReading(date, time);
    if (local === undefined) continue;
    if (local === null)
      return {
        kind: 'refused',
        key: at,
        problem: `its local ${which} (${String(date)} ${String(time)}) is not readable`,
      };
    const shown = wallText(instant, localZone);
    if (shown !== local)
      return {
        kind: 'refused',
        key: at,
        problem: `its ${which} is ${iso(instant)} in UTC, which is ${shown} in ${localZone}, but its local ${which} says ${local}`,
      };
  }
  const shift: SourceShift = {
    sourceId: key,
    staff: pick(row, staffFields),
    task: pick(row, taskFields),
    start,
    end,
    published: row.IsPublished !== false,
    at,
  };
  const notes = text(row.Notes);
  if (notes) shift.notes = notes;
  return { kind: 'shift', key, shift, modified };
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

function pick(row: QGendaRow, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = text(row[f]);
    if (v) out[f] = v;
  }
  return out;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** QGenda's UTC stamps, with or without the Z (they are UTC either way). */
export function utcInstant(v: unknown): Date | undefined {
  const t = text(v);
  if (!t) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]00:?00)?$/i.exec(t);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  return date.getUTCDate() === d && date.getUTCHours() === h ? date : undefined;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/** 'YYYY-MM-DD HH:mm' as the wall clock in `zone` shows `instant`. */
function wallText(instant: Date, zone: string): string {
  const ms = instant.getTime();
  const wall = new Date(ms + offsetMinutes(zone, ms) * 60_000);
  return wall.toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The local date and time of a row as 'YYYY-MM-DD HH:mm'; undefined when the row has neither (nothing to
 * check), null when it has them but they cannot be read. Dates come as '2026-03-08T00:00:00' or
 * '03/08/2026'; times as '07:00', '07:00:00', '7:00 AM' or a date-time whose time part is meant.
 */
function localReading(dateValue: unknown, timeValue: unknown): string | undefined | null {
  const date = text(dateValue);
  const time = text(timeValue);
  if (!date && !time) return undefined;
  if (!date || !time) return null;
  let ymd: string | undefined;
  const isoDate = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  const usDate = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(date);
  if (isoDate) ymd = `${isoDate[1]}-${isoDate[2]}-${isoDate[3]}`;
  else if (usDate) ymd = `${usDate[3]}-${usDate[1].padStart(2, '0')}-${usDate[2].padStart(2, '0')}`;
  const clock = /(?:^|T|\s)(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*([AaPp][Mm])?$/.exec(time);
  if (!ymd || !clock) return null;
  let hour = Number(clock[1]);
  const half = clock[3]?.toUpperCase();
  if (half && (hour < 1 || hour > 12)) return null;
  if (half === 'AM' && hour === 12) hour = 0;
  if (half === 'PM' && hour !== 12) hour += 12;
  if (hour > 23 || Number(clock[2]) > 59) return null;
  return `${ymd} ${String(hour).padStart(2, '0')}:${clock[2]}`;
}
