/**
 * Reads ShiftAdmin's scheduled-shifts JSON, all or nothing: a body that is not JSON (an error page, a body
 * cut off), a `status` other than success, or an entry without a readable start and end fails the whole
 * pull with the entry's position, so a broken answer never reads as a schedule with shifts missing.
 */
import { SourceError, type SourceShift } from './source.ts';
import { readDateTime, shiftBetween } from './source-days.ts';

const what = 'the ShiftAdmin scheduled shifts';

const staffFields = ['userID', 'employeeID', 'nPI', 'firstName', 'lastName'] as const;
const taskFields = [
  'shiftID',
  'shiftShortName',
  'groupID',
  'groupShortName',
  'facilityID',
  'facilityExtID',
  'facilityAbbreviation',
] as const;

export interface ShiftAdminEntry {
  shift: SourceShift;
  name?: string;
}

export function readShiftAdminReport(text: string, zone: string): ShiftAdminEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const start = text.trimStart().slice(0, 40).replace(/\s+/g, ' ');
    throw new SourceError(
      `${what}: the answer is not JSON (${(error as Error).message}); it begins "${start}"`,
    );
  }
  if (!isObject(body)) throw new SourceError(`${what}: the answer is not a JSON object`);
  if (body.status !== 'success') {
    const message = typeof body.message === 'string' ? body.message : 'no message';
    throw new SourceError(`${what}: ShiftAdmin answered status ${JSON.stringify(body.status)}: ${message}`);
  }
  const list = isObject(body.data) ? body.data.scheduledShifts : undefined;
  if (!Array.isArray(list)) throw new SourceError(`${what}: the answer has no data.scheduledShifts list`);
  return list.map((entry, i) => readEntry(entry, i + 1, zone));
}

function readEntry(entry: unknown, n: number, zone: string): ShiftAdminEntry {
  const fail = (reason: string) => new SourceError(`${what}: entry ${n} ${reason}`);
  if (!isObject(entry)) throw fail('is not an object');
  const start = readDateTime(entry.shiftStart);
  if (start === undefined) throw fail(`has no readable shiftStart (${JSON.stringify(entry.shiftStart)})`);
  const end = readDateTime(entry.shiftEnd);
  if (end === undefined) throw fail(`has no readable shiftEnd (${JSON.stringify(entry.shiftEnd)})`);
  const { start: from, end: to } = shiftBetween(start, end, zone);
  if (to <= from) throw fail(`ends (${entry.shiftEnd}) before it starts (${entry.shiftStart})`);
  const staff = textFields(entry, staffFields);
  const task = textFields(entry, taskFields);
  if (Object.keys(task).length === 0) throw fail('names no shift (shiftID, shiftShortName)');
  const name = [staff.firstName, staff.lastName].filter(Boolean).join(' ');
  return {
    shift: { staff, task, start: from, end: to, at: `entry ${n}` },
    ...(name ? { name } : {}),
  };
}

function textFields(entry: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = entry[name];
    if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') out[name] = String(v).trim();
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
