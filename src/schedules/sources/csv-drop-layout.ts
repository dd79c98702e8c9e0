/**
 * Reads a dropped schedule file: a CSV with a header row, by default in the layout of the schedule CSVs in
 * config/ (assignment,person,start,end,call_order,notes,published with 'YYYY-MM-DD HH:mm' local times),
 * or in a site's own export through a column mapping (which header holds the staff id, the task, the
 * start and end, or a date and two times of day, and their formats).
 *
 * All or nothing: a file that breaks the CSV grammar, lacks a column, has a row with the wrong number of
 * fields (the usual sign of a file cut off while it was copied) or a time that does not read, fails as a
 * whole with every problem and its line, so a broken file never reads as a schedule with shifts missing.
 */
import { readCsv } from '../../kit/csv.ts';
import { formatLocal, type LocalDay } from '../local-time.ts';
import type { SourceShift } from './source.ts';
import {
  calendarDay,
  readDateTime,
  readFormatted,
  shiftBetween,
  shiftOnDay,
  type WrittenTime,
} from './source-days.ts';

/** Which header names hold what. Names are compared without case. */
export interface CsvDropColumns {
  /** The person as the source names them; becomes the row's staff `{ <header>: value }`. */
  staff: string;
  /** What the shift is for; becomes the row's task `{ <header>: value }`. */
  task: string;
  start: string;
  end: string;
  /** With a date column, start and end are times of day on that date (an end at or before the start is the next day). */
  date?: string;
  /** Kept in the task under its header, so a mapping can tell first call from second. */
  callOrder?: string;
  notes?: string;
  published?: string;
  /** The source's own id for the shift, when its export has one. */
  id?: string;
}

export interface CsvDropLayout {
  columns: CsvDropColumns;
  /** Optional columns named in config, which must then be in the header. */
  requiredOptional: ReadonlyArray<keyof CsvDropColumns>;
  /** luxon format of start and end without a date column; unset: 'YYYY-MM-DD HH:mm' or ISO with offset. */
  dateTimeFormat?: string;
  /** @defaultValue 'yyyy-MM-dd' */
  dateFormat: string;
  /** @defaultValue 'HH:mm' */
  timeFormat: string;
}

/** The layout of the schedule CSVs in config/ (src/schedules/csv-shifts.ts). */
export const configCsvColumns: CsvDropColumns = {
  staff: 'person',
  task: 'assignment',
  start: 'start',
  end: 'end',
  callOrder: 'call_order',
  notes: 'notes',
  published: 'published',
};

const yes = new Set(['true', 'yes', 'y', '1']);
const no = new Set(['false', 'no', 'n', '0']);

export type CsvDropRead = { ok: true; shifts: SourceShift[] } | { ok: false; problems: string[] };

export function readCsvDrop(text: string, layout: CsvDropLayout, zone: string): CsvDropRead {
  const problems: string[] = [];
  const read = readCsv(text);
  for (const p of read.problems) problems.push(`line ${p.line}: ${p.message}`);
  const [header, ...rows] = read.records;
  if (!header) return { ok: false, problems: [...problems, 'the file is empty (no header row)'] };
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index: Partial<Record<keyof CsvDropColumns, number>> = {};
  const c = layout.columns;
  const wanted = Object.entries(c) as Array<[keyof CsvDropColumns, string | undefined]>;
  for (const [field, name] of wanted) {
    if (!name) continue;
    const at = names.indexOf(name.toLowerCase());
    const required =
      ['staff', 'task', 'start', 'end', 'date'].includes(field) || layout.requiredOptional.includes(field);
    if (at >= 0) index[field] = at;
    else if (required)
      problems.push(`line ${header.line}: the header has no column "${name}" (the ${field} column)`);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: ['the file has a header and no rows'] };

  const shifts: SourceShift[] = [];
  for (const row of rows) {
    const at = `line ${row.line}`;
    if (row.fields.length !== names.length) {
      problems.push(
        `${at}: has ${row.fields.length} fields; the header has ${names.length} (a file cut off?)`,
      );
      continue;
    }
    const value = (field: keyof CsvDropColumns) => {
      const i = index[field];
      return i === undefined ? '' : row.fields[i].trim();
    };
    const bad = (column: string, message: string) => problems.push(`${at}, ${column}: ${message}`);
    const taskValue = value('task');
    if (!taskValue) bad(c.task, 'is empty');
    const times = rowTimes(value, layout, zone, bad);
    const callOrder = value('callOrder');
    if (callOrder && !/^[1-9]\d?$/.test(callOrder))
      bad(c.callOrder ?? '', 'must be a whole number from 1 to 99');
    const published = value('published').toLowerCase();
    if (published && !yes.has(published) && !no.has(published))
      bad(c.published ?? '', 'must be true or false');
    if (!times || !taskValue) continue;
    const staffValue = value('staff');
    const id = value('id');
    shifts.push({
      ...(id ? { sourceId: id } : {}),
      staff: staffValue ? { [c.staff]: staffValue } : {},
      task: { [c.task]: taskValue, ...(callOrder && c.callOrder ? { [c.callOrder]: callOrder } : {}) },
      start: times.start,
      end: times.end,
      ...(value('notes') ? { notes: value('notes') } : {}),
      ...(published ? { published: yes.has(published) } : {}),
      at,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, shifts };
}

function rowTimes(
  value: (field: keyof CsvDropColumns) => string,
  layout: CsvDropLayout,
  zone: string,
  bad: (column: string, message: string) => void,
): { start: Date; end: Date } | undefined {
  const c = layout.columns;
  if (c.date) {
    const day = readDay(value('date'), layout.dateFormat);
    const start = readTimeOfDay(value('start'), layout.timeFormat);
    const end = readTimeOfDay(value('end'), layout.timeFormat);
    if (!day) bad(c.date, `"${value('date')}" is not a date (${layout.dateFormat})`);
    if (start === undefined) bad(c.start, `"${value('start')}" is not a time (${layout.timeFormat})`);
    if (end === undefined) bad(c.end, `"${value('end')}" is not a time (${layout.timeFormat})`);
    return day && start !== undefined && end !== undefined ? shiftOnDay(day, start, end, zone) : undefined;
  }
  const read = (text: string): WrittenTime | undefined =>
    layout.dateTimeFormat ? readFormatted(text, layout.dateTimeFormat) : readDateTime(text);
  const expected = layout.dateTimeFormat ?? 'YYYY-MM-DD HH:mm';
  const start = read(value('start'));
  const end = read(value('end'));
  if (!start) bad(c.start, `"${value('start')}" is not a date and time (${expected})`);
  if (!end) bad(c.end, `"${value('end')}" is not a date and time (${expected})`);
  if (!start || !end) return undefined;
  const shift = shiftBetween(start, end, zone);
  if (shift.end <= shift.start) {
    bad(c.end, `must be after the start (${formatLocal(shift.start, zone)})`);
    return undefined;
  }
  return shift;
}

function readDay(text: string, format: string): LocalDay | undefined {
  const at = readFormatted(text, format);
  if (!at) return undefined;
  const d = new Date(at.wall);
  return calendarDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** A time of day in `format` → minutes after midnight; '24:00' is the end of the day. */
function readTimeOfDay(text: string, format: string): number | undefined {
  if (/^24:?00$/.test(text.trim())) return 1440;
  const at = readFormatted(text, format);
  if (!at) return undefined;
  const d = new Date(at.wall);
  return d.getUTCHours() * 60 + d.getUTCMinutes();
}
