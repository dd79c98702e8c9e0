/**
 * Kronos Workforce Central payroll: every day of the pay period, a file of the whole pay period's mapped
 * shifts for the ETL job Kronos sets up. What goes in is decided by a matrix of personnel types and
 * assignment types (a Non-Exempt provider working a Call assignment is paid through Kronos; an Exempt one
 * is not). Each shift carries the Kronos department id of its department, and is charged to the person's
 * home COID when worked in a department of that COID, otherwise to their away COID.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import { csvLayout, type FileExportKind, type KeyedRecord } from './export-kind.ts';
import { type AssignmentFields, fieldsOf, personFor, readAssignmentFields } from './export-options.ts';
import { publishedShifts } from './shift-pages.ts';
import { type PayPeriod, payPeriodProblem, payPeriodSpan } from './spans.ts';

export interface KronosPerson {
  type: string;
  homeCoid?: string;
  awayCoid?: string;
}

export interface KronosWfcOptions {
  payPeriod: PayPeriod;
  /** personnel type → assignment types paid through Kronos. */
  matrix: ReadonlyMap<string, ReadonlySet<string>>;
  assignmentFields: AssignmentFields;
  departments: ReadonlyMap<string, { departmentId: string; coid?: string }>;
  personnel: ReadonlyMap<string, KronosPerson>;
}

/** Hours between two instants, as the clock ran (a shift over the fall-back night is an hour longer). */
export const hours = (start: Date, end: Date) => ((end.getTime() - start.getTime()) / 3_600_000).toFixed(2);

export const kronosWfc: FileExportKind<KronosWfcOptions> = {
  kind: 'kronos-wfc',
  fields: [
    'employeeId',
    'employeeName',
    'personnelType',
    'assignmentType',
    'payCode',
    'date',
    'start',
    'end',
    'hours',
    'departmentId',
    'coid',
    'homeAway',
    'assignmentId',
    'shiftId',
  ],
  dateFields: ['date', 'start', 'end'],
  deltas: false,
  optionKeys: ['payPeriod', 'matrix', 'assignmentFields', 'departments', 'personnel'],
  defaultLayout: (zone) => ({
    ...csvLayout(
      zone,
      [
        { field: 'employeeId', header: 'PERSON_NUMBER' },
        { field: 'date', header: 'APPLY_DATE', format: 'date' },
        { field: 'start', header: 'START_TIME', format: 'time' },
        { field: 'end', header: 'END_TIME', format: 'time' },
        { field: 'hours', header: 'HOURS' },
        { field: 'payCode', header: 'PAY_CODE' },
        { field: 'departmentId', header: 'DEPARTMENT_ID' },
        { field: 'coid', header: 'COID' },
        { field: 'homeAway', header: 'HOME_AWAY' },
      ],
      'kronos_wfc_{yyyyMMdd}.csv',
    ),
    dateFormat: 'MM/dd/yyyy',
  }),
  readOptions: (raw, checks, path) => readKronosWfc(raw, checks, path),
  span: (run) => payPeriodSpan(run.at, run.zone, run.options.payPeriod),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    const o = run.options;
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      if (shift.start < span.from) continue; // paid in the period it starts in
      const assignment = run.assignment(shift.assignmentId);
      const fields = fieldsOf(o.assignmentFields, shift.assignmentId);
      const assignmentType = fields.assignmentType ?? assignment?.type ?? '';
      const kronosPerson = o.personnel.get(shift.personId);
      if (!kronosPerson || !o.matrix.get(kronosPerson.type)?.has(assignmentType)) continue;
      const who = personFor(run, shift);
      if (!who || who.externalId === '') continue;
      const department = o.departments.get(assignment?.department ?? '');
      if (!department) {
        run.skip(assignment?.department ?? shift.assignmentId, 'has no Kronos department id in departments');
        continue;
      }
      const home = department.coid !== undefined && department.coid === kronosPerson.homeCoid;
      yield {
        key: shift.id,
        record: {
          employeeId: who.externalId,
          employeeName: who.person?.name ?? shift.personId,
          personnelType: kronosPerson.type,
          assignmentType,
          payCode: fields.payCode ?? '',
          date: shift.start,
          start: shift.start,
          end: shift.end,
          hours: hours(shift.start, shift.end),
          departmentId: department.departmentId,
          coid: home ? kronosPerson.homeCoid : (kronosPerson.awayCoid ?? department.coid ?? ''),
          homeAway: home ? 'HOME' : 'AWAY',
          assignmentId: shift.assignmentId,
          shiftId: shift.id,
        },
      };
    }
  },
};

function readKronosWfc(
  raw: Record<string, unknown>,
  checks: SectionChecks,
  path: Array<string | number>,
): KronosWfcOptions {
  const payProblem = payPeriodProblem(raw.payPeriod);
  if (payProblem) checks.report([...path, 'payPeriod'], payProblem);
  const matrix = new Map<string, Set<string>>();
  checks.list(raw.matrix, [...path, 'matrix']).forEach((entry, i) => {
    const m = checks.mapping(entry, [...path, 'matrix', i], ['personnelType', 'assignmentTypes']);
    const type = checks.text(m?.personnelType, [...path, 'matrix', i, 'personnelType'], true);
    const types = checks.list(m?.assignmentTypes, [...path, 'matrix', i, 'assignmentTypes']).map(String);
    if (type) matrix.set(type, new Set([...(matrix.get(type) ?? []), ...types]));
  });
  const departments = new Map<string, { departmentId: string; coid?: string }>();
  for (const [name, value] of Object.entries(
    checks.mapping(raw.departments ?? {}, [...path, 'departments'], Object.keys(raw.departments ?? {})) ?? {},
  )) {
    const d = checks.mapping(value, [...path, 'departments', name], ['departmentId', 'coid']);
    const departmentId =
      d && textOf(d.departmentId, checks, [...path, 'departments', name, 'departmentId'], true);
    if (departmentId)
      departments.set(name, {
        departmentId,
        coid: d && textOf(d.coid, checks, [...path, 'departments', name, 'coid'], false),
      });
  }
  const personnel = new Map<string, KronosPerson>();
  for (const [id, value] of Object.entries(
    checks.mapping(raw.personnel ?? {}, [...path, 'personnel'], Object.keys(raw.personnel ?? {})) ?? {},
  )) {
    const p = checks.mapping(value, [...path, 'personnel', id], ['type', 'homeCoid', 'awayCoid']);
    const type = p && checks.text(p.type, [...path, 'personnel', id, 'type'], true);
    if (type) {
      personnel.set(id, {
        type,
        homeCoid: textOf(p.homeCoid, checks, [...path, 'personnel', id, 'homeCoid'], false),
        awayCoid: textOf(p.awayCoid, checks, [...path, 'personnel', id, 'awayCoid'], false),
      });
    }
  }
  return {
    payPeriod: raw.payPeriod as PayPeriod,
    matrix,
    assignmentFields: readAssignmentFields(
      raw.assignmentFields,
      checks,
      [...path, 'assignmentFields'],
      ['assignmentType', 'payCode'],
    ),
    departments,
    personnel,
  };
}

/** Ids as text; YAML numbers are refused by checks.text so that leading zeros of a COID are kept. */
function textOf(
  v: unknown,
  checks: SectionChecks,
  path: Array<string | number>,
  required: boolean,
): string | undefined {
  return checks.text(v, path, required);
}
