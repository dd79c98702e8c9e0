/**
 * Reads Amion's assignments report (Rpt=619, CSV or tab-separated) and staff list (Rpt=706). Reading is
 * all or nothing: a row that is not an assignment row (a body cut off in the middle of a row, an error
 * page, a changed layout) fails the whole report with its line, so a broken answer never reads as a
 * schedule with shifts missing.
 */
import { readCsv } from '../../kit/csv.ts';
import type { LocalDay } from '../local-time.ts';
import { SourceError, type SourceShift, type SourceStaffRecord } from './source.ts';
import { calendarDay, shiftOnDay } from './source-days.ts';

interface Line {
  line: number;
  fields: string[];
}

export interface AmionRow {
  day: LocalDay;
  shift: SourceShift;
}

/** Title lines ("Assignments for …", "(as of …)") allowed before the first row besides the Field lines. */
const maxTitleLines = 4;

export function readAmionAssignments(text: string, format: 'tabs' | 'csv', zone: string): AmionRow[] {
  const what = 'the Amion assignments report';
  const lines = splitReport(text, format, what);
  const rows: AmionRow[] = [];
  let titles = 0;
  let fieldLines = 0;
  for (const { line, fields } of lines) {
    if (/^field\b/i.test(fields[0] ?? '')) {
      fieldLines++;
      continue;
    }
    const read = assignmentRow(fields, zone, line);
    if (typeof read !== 'string') {
      rows.push(read);
      continue;
    }
    if (rows.length > 0) throw new SourceError(`${what}: line ${line} is not an assignment row: ${read}`);
    if (++titles > maxTitleLines) {
      throw new SourceError(
        `${what}: line ${line} is not an assignment row (${read}); is this an Amion report?`,
      );
    }
  }
  if (rows.length === 0 && fieldLines === 0) {
    throw new SourceError(
      `${what}: no assignment rows and no "Field" header lines; is this an Amion report?`,
    );
  }
  return rows;
}

/** Why `fields` is not an assignment row, or the row read. */
function assignmentRow(fields: string[], zone: string, line: number): AmionRow | string {
  if (fields.length < 9) return `it has ${fields.length} fields, an assignment row has at least 9`;
  const day = amionDate(fields[6]);
  if (!day) return `"${fields[6]}" in field 7 is not a date (M-D-YY)`;
  const start = amionTime(fields[7]);
  if (start === undefined) return `"${fields[7]}" in field 8 is not a time (HMM or HHMM)`;
  const end = amionTime(fields[8]);
  if (end === undefined) return `"${fields[8]}" in field 9 is not a time (HMM or HHMM)`;
  if (!fields[3] && !fields[4]) return 'it names no assignment (fields 4 and 5 are empty)';
  const { start: from, end: to } = shiftOnDay(day, start, end, zone);
  return {
    day,
    shift: {
      staff: present({ name: fields[0], uniqueId: fields[1], backupId: fields[2] }),
      task: present({ name: fields[3], uniqueId: fields[4], backupId: fields[5] }),
      start: from,
      end: to,
      at: `line ${line}`,
    },
  };
}

/** Rpt=706: staff type, name, unique id, backup id, abbreviation, staff type id, pager, tel., email. */
export function readAmionStaff(text: string): SourceStaffRecord[] {
  const what = 'the Amion staff list';
  const records: SourceStaffRecord[] = [];
  let titles = 0;
  for (const { line, fields } of splitReport(text, 'tabs', what)) {
    if (/^field\b/i.test(fields[0] ?? '')) continue;
    const header = /^staff type$/i.test(fields[0] ?? '') || /^name$/i.test(fields[1] ?? '');
    if (fields.length >= 3 && !header && fields[1]) {
      const [staffType, name, uniqueId, backupId, abbreviation, , pager, phone, email] = fields;
      records.push({
        staff: present({ uniqueId, backupId, abbreviation, name, staffType }),
        name,
        ...present({ pager, phone, email }),
      });
      continue;
    }
    if (records.length > 0) {
      throw new SourceError(`${what}: line ${line} is not a staff row (it has ${fields.length} fields)`);
    }
    if (++titles > maxTitleLines + 1)
      throw new SourceError(`${what}: line ${line} is not a staff row; is this an Amion report?`);
  }
  return records;
}

function splitReport(text: string, format: 'tabs' | 'csv', what: string): Line[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new SourceError(`${what}: the answer is empty`);
  if (/^\s*</.test(body)) {
    throw new SourceError(
      `${what}: the answer is a web page, not a report; check the password (Lo=) and the URL`,
    );
  }
  if (format === 'csv') {
    const read = readCsv(body);
    const problem = read.problems[0];
    if (problem) throw new SourceError(`${what}: line ${problem.line}: ${problem.message}`);
    return read.records;
  }
  const lines: Line[] = [];
  body.split(/\r\n|\n|\r/).forEach((raw, i) => {
    if (raw.trim() !== '') lines.push({ line: i + 1, fields: raw.split('\t').map((f) => f.trim()) });
  });
  return lines;
}

/** M-D-YY (or M-D-YYYY); two-digit years are this century. */
export function amionDate(text: string): LocalDay | undefined {
  const m = /^(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  return calendarDay(year, Number(m[1]), Number(m[2]));
}

/** HMM or HHMM ('700', '1900', '0', '2400') → minutes after midnight. */
export function amionTime(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,4}$/.test(t)) return undefined;
  const n = Number(t);
  const hour = Math.floor(n / 100);
  const minute = n % 100;
  if (minute > 59 || hour > 24 || (hour === 24 && minute > 0)) return undefined;
  return hour * 60 + minute;
}

/** Only the fields that have a value: an empty id is no id. */
function present<T extends Record<string, string | undefined>>(fields: T): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v) out[k] = v;
  return out;
}
