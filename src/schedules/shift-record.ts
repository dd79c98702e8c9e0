import type { Shift } from '../store/schedule-port.ts';
import { formatLocal, parseLocalTime } from './local-time.ts';

/** One shift as an analyst writes it (a YAML list item or a CSV row), before it is checked. */
export interface ShiftFields {
  assignment?: unknown;
  person?: unknown;
  start?: unknown;
  end?: unknown;
  callOrder?: unknown;
  notes?: unknown;
  published?: unknown;
}

export interface ShiftContext {
  zone: string;
  source: string;
  knownAssignment: (id: string) => boolean;
  knownPeople: (id: string) => boolean;
}

export type ReportField = (field: keyof ShiftFields, message: string) => void;

/** Longest shift we accept from a file; anything longer is almost surely a typo in a date. */
export const maxShiftDays = 31;

/** Checks one written shift and builds it, or reports every problem through `report` and returns undefined. */
export function buildShift(fields: ShiftFields, ctx: ShiftContext, report: ReportField): Shift | undefined {
  let ok = true;
  const fail = (field: keyof ShiftFields, message: string) => {
    ok = false;
    report(field, message);
  };
  const id = (field: 'assignment' | 'person'): string | undefined => {
    const v = fields[field];
    if (v === undefined || v === null || v === '') return void fail(field, 'is required');
    if (typeof v !== 'string') return void fail(field, 'must be text (an id)');
    return v.trim();
  };
  const assignment = id('assignment');
  if (assignment !== undefined && !ctx.knownAssignment(assignment)) {
    fail('assignment', `names no assignment: ${assignment}`);
  }
  const person = id('person');
  if (person !== undefined && !ctx.knownPeople(person)) {
    fail('person', `names nobody in the directory: ${person}`);
  }
  const time = (field: 'start' | 'end'): Date | undefined => {
    const v = fields[field];
    if (v === undefined || v === null || v === '') return void fail(field, 'is required');
    if (typeof v !== 'string')
      return void fail(field, "must be a local time in quotes, e.g. '2026-11-22 07:00'");
    const parsed = parseLocalTime(v, ctx.zone);
    if (!parsed.ok) return void fail(field, parsed.message);
    return parsed.at;
  };
  const start = time('start');
  const end = time('end');
  if (start && end) {
    const length = end.getTime() - start.getTime();
    if (length <= 0) {
      fail('end', `must be after the start (${formatLocal(start, ctx.zone)})`);
    } else if (length > maxShiftDays * 86_400_000) {
      fail('end', `makes a shift longer than ${maxShiftDays} days; check the dates`);
    }
  }
  let callOrder = 1;
  if (fields.callOrder !== undefined && fields.callOrder !== null && fields.callOrder !== '') {
    const v = fields.callOrder;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 99) {
      fail('callOrder', 'must be a whole number from 1 (first call) to 99');
    } else {
      callOrder = v;
    }
  }
  let notes = '';
  if (fields.notes !== undefined && fields.notes !== null) {
    if (typeof fields.notes !== 'string') fail('notes', 'must be text');
    else notes = fields.notes;
  }
  let published = true;
  if (fields.published !== undefined && fields.published !== null && fields.published !== '') {
    if (typeof fields.published !== 'boolean') fail('published', 'must be true or false');
    else published = fields.published;
  }
  if (!ok || !assignment || !person || !start || !end) return undefined;
  return {
    id: `${ctx.source}:${assignment}:${callOrder}:${start.toISOString()}:${person}`,
    assignmentId: assignment,
    personId: person,
    start,
    end,
    callOrder,
    notes,
    published,
    source: ctx.source,
  };
}
