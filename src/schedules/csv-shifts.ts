import type { ConfigProblem } from '../kit/config-errors.ts';
import { csvProblemKey, readCsv } from '../kit/csv.ts';
import type { Shift } from '../store/schedule-port.ts';
import { buildShift, type ShiftContext, type ShiftFields } from './shift-record.ts';

/** CSV header names, as a scheduling office exports them, and the shift field each one fills. */
const columns: Record<string, keyof ShiftFields> = {
  assignment: 'assignment',
  person: 'person',
  start: 'start',
  end: 'end',
  call_order: 'callOrder',
  notes: 'notes',
  published: 'published',
};
const requiredColumns = ['assignment', 'person', 'start', 'end'];

const yes = new Set(['true', 'yes', 'y', '1']);
const no = new Set(['false', 'no', 'n', '0']);

/**
 * Reads a CSV of shifts, one row per shift, with a header row naming the columns (any order):
 * assignment,person,start,end,call_order,notes,published. Times are local to the site zone. Every problem
 * is located at the file, the line of the row and the column name.
 */
export function readCsvShifts(
  text: string,
  file: string,
  ctx: ShiftContext,
): { shifts: Shift[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const shifts: Shift[] = [];
  const parsed = readCsv(text);
  const [header, ...rows] = parsed.records;
  for (const p of parsed.problems) {
    problems.push({ file, line: p.line, key: csvProblemKey(p, header), message: p.message });
  }
  if (!header) {
    problems.push({
      file,
      line: 1,
      key: '',
      message: `has no header row (${Object.keys(columns).join(',')})`,
    });
    return { shifts, problems };
  }
  const names = header.fields.map((f) => f.toLowerCase());
  names.forEach((name, i) => {
    if (!(name in columns)) {
      problems.push({
        file,
        line: header.line,
        key: name || `column ${i + 1}`,
        message: 'is not a known column',
      });
    } else if (names.indexOf(name) !== i) {
      problems.push({ file, line: header.line, key: name, message: 'appears twice in the header' });
    }
  });
  for (const required of requiredColumns) {
    if (!names.includes(required)) {
      problems.push({ file, line: header.line, key: required, message: 'column is missing from the header' });
    }
  }
  if (problems.some((p) => p.line === header.line)) return { shifts, problems };

  const seen = new Set<string>();
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      problems.push({
        file,
        line: row.line,
        key: '',
        message: `has ${row.fields.length} fields; the header has ${names.length}`,
      });
      continue;
    }
    const fields: ShiftFields = {};
    names.forEach((name, i) => {
      fields[columns[name]] = cellValue(columns[name], row.fields[i].trim());
    });
    const column = Object.fromEntries(Object.entries(columns).map(([k, v]) => [v, k]));
    const shift = buildShift(fields, ctx, (field, message) =>
      problems.push({ file, line: row.line, key: column[field], message }),
    );
    if (!shift) continue;
    if (seen.has(shift.id)) {
      problems.push({ file, line: row.line, key: '', message: 'repeats an earlier row (same shift twice)' });
      continue;
    }
    seen.add(shift.id);
    shifts.push(shift);
  }
  return { shifts, problems };
}

/** Turns CSV text into the types a YAML value would have, leaving what does not convert for the checks. */
function cellValue(field: keyof ShiftFields, text: string): unknown {
  if (field === 'callOrder') return /^\d+$/.test(text) ? Number(text) : text;
  if (field === 'published') {
    const lower = text.toLowerCase();
    if (yes.has(lower)) return true;
    if (no.has(lower)) return false;
    return text;
  }
  return text;
}
