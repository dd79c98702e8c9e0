/**
 * Kronos / UKG Workforce Dimensions payroll: on the first file of a pay period, every mapped shift of the
 * period; on every later day, only the shifts added, changed or deleted since the last file (the delta
 * state is kept in the store, so a restart does not send the period again or lose a change). Per
 * assignment the site maps what Dimensions needs for the shift segment or pay code edit: work rule
 * transfer, pay code edit, segment type (Required, Transfer or Break), open shift, business structure (job
 * transfer), cost center transfer, labor categories (joined with a configurable delimiter, '|' by
 * default) and the comment, which must be one Dimensions knows.
 */
import type { SectionChecks } from '../../kit/section-checks.ts';
import { csvLayout, type FileExportKind, type KeyedRecord } from './export-kind.ts';
import { type AssignmentFields, fieldsOf, personFor, readAssignmentFields } from './export-options.ts';
import { hours } from './kronos-wfc.ts';
import { publishedShifts } from './shift-pages.ts';
import { type PayPeriod, payPeriodProblem, payPeriodSpan } from './spans.ts';

const mapped = [
  'workRuleTransfer',
  'payCodeEdit',
  'segmentType',
  'openShift',
  'businessStructure',
  'costCenterTransfer',
  'laborCategories',
  'comment',
] as const;

export interface KronosWfdOptions {
  payPeriod: PayPeriod;
  assignmentFields: AssignmentFields;
  /** @defaultValue '|' */
  laborCategoryDelimiter: string;
}

export const kronosWfd: FileExportKind<KronosWfdOptions> = {
  kind: 'kronos-wfd',
  fields: [
    'action',
    'employeeId',
    'employeeName',
    'start',
    'end',
    'hours',
    ...mapped,
    'assignmentId',
    'shiftId',
  ],
  dateFields: ['start', 'end'],
  deltas: true,
  optionKeys: ['payPeriod', 'assignmentFields', 'laborCategoryDelimiter'],
  defaultLayout: (zone) =>
    csvLayout(
      zone,
      [
        { field: 'action', header: 'ACTION' },
        { field: 'employeeId', header: 'PERSON_NUMBER' },
        { field: 'start', header: 'START_DATETIME' },
        { field: 'end', header: 'END_DATETIME' },
        { field: 'segmentType', header: 'SEGMENT_TYPE' },
        { field: 'workRuleTransfer', header: 'WORK_RULE' },
        { field: 'payCodeEdit', header: 'PAY_CODE' },
        { field: 'openShift', header: 'OPEN_SHIFT' },
        { field: 'businessStructure', header: 'JOB_TRANSFER' },
        { field: 'costCenterTransfer', header: 'COST_CENTER' },
        { field: 'laborCategories', header: 'LABOR_CATEGORIES' },
        { field: 'comment', header: 'COMMENT' },
      ],
      'kronos_wfd_{yyyyMMdd}.csv',
    ),
  readOptions: (raw, checks, path) => readKronosWfd(raw, checks, path),
  span: (run) => payPeriodSpan(run.at, run.zone, run.options.payPeriod),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      if (shift.start < span.from) continue; // paid in the period it starts in
      const fields = fieldsOf(run.options.assignmentFields, shift.assignmentId);
      if (!fields.comment) continue; // unmapped: Dimensions refuses a segment without a known comment
      const who = personFor(run, shift);
      if (!who || who.externalId === '') continue;
      yield {
        key: shift.id,
        record: {
          employeeId: who.externalId,
          employeeName: who.person?.name ?? shift.personId,
          start: shift.start,
          end: shift.end,
          hours: hours(shift.start, shift.end),
          workRuleTransfer: fields.workRuleTransfer ?? '',
          payCodeEdit: fields.payCodeEdit ?? '',
          segmentType: fields.segmentType ?? 'Required',
          openShift: fields.openShift === 'true',
          businessStructure: fields.businessStructure ?? '',
          costCenterTransfer: fields.costCenterTransfer ?? '',
          laborCategories: fields.laborCategories ?? '',
          comment: fields.comment,
          assignmentId: shift.assignmentId,
          shiftId: shift.id,
        },
      };
    }
  },
};

function readKronosWfd(
  raw: Record<string, unknown>,
  checks: SectionChecks,
  path: Array<string | number>,
): KronosWfdOptions {
  const payProblem = payPeriodProblem(raw.payPeriod);
  if (payProblem) checks.report([...path, 'payPeriod'], payProblem);
  const delimiter =
    raw.laborCategoryDelimiter === undefined
      ? '|'
      : (checks.text(raw.laborCategoryDelimiter, [...path, 'laborCategoryDelimiter'], false) ?? '|');
  // Labor categories may be written as a YAML list; the file carries them joined by the delimiter.
  const byAssignment: Record<string, unknown> = {};
  if (raw.assignmentFields && typeof raw.assignmentFields === 'object') {
    for (const [id, value] of Object.entries(raw.assignmentFields as Record<string, unknown>)) {
      const v = value as Record<string, unknown> | null;
      byAssignment[id] =
        v && Array.isArray(v.laborCategories)
          ? { ...v, laborCategories: v.laborCategories.join(delimiter) }
          : v;
    }
  }
  const assignmentFields = readAssignmentFields(byAssignment, checks, [...path, 'assignmentFields'], mapped, [
    'comment',
  ]);
  for (const [id, fields] of assignmentFields) {
    if (fields.segmentType && !['Required', 'Transfer', 'Break'].includes(fields.segmentType)) {
      checks.report([...path, 'assignmentFields', id, 'segmentType'], 'must be Required, Transfer or Break');
    }
  }
  return { payPeriod: raw.payPeriod as PayPeriod, assignmentFields, laborCategoryDelimiter: delimiter };
}
