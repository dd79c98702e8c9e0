/**
 * Epic OpTime provider schedule import: which providers work which OR assignments, for the snapboard.
 * Per assignment the site maps the import group (the Epic facility), the resource type (e.g. the CRNA
 * resource type id), an optional role and an optional time zone for ORs in another zone than the site;
 * the provider is named by the Epic SER .1 id from the crosswalk (`epicSer`).
 */
import { isValidZone } from '../../kit/zone-clock.ts';
import { ZonedInstant } from '../files/layout.ts';
import { csvLayout, type FileExportKind, type KeyedRecord } from './export-kind.ts';
import { type AssignmentFields, fieldsOf, personFor, readAssignmentFields } from './export-options.ts';
import { publishedShifts } from './shift-pages.ts';
import { windowSpan } from './spans.ts';

const mapped = ['importGroup', 'resourceType', 'role', 'timeZone'] as const;

export interface OpTimeOptions {
  assignmentFields: AssignmentFields;
}

export const epicOpTime: FileExportKind<OpTimeOptions> = {
  kind: 'epic-optime',
  fields: [...mapped, 'serId', 'providerName', 'start', 'end', 'assignmentId', 'assignmentName', 'shiftId'],
  dateFields: ['start', 'end'],
  deltas: false,
  optionKeys: ['assignmentFields'],
  defaultLayout: (zone) =>
    csvLayout(
      zone,
      [
        { field: 'importGroup', header: 'IMPORT_GROUP' },
        { field: 'resourceType', header: 'RESOURCE_TYPE' },
        { field: 'serId', header: 'SER_ID' },
        { field: 'providerName', header: 'PROVIDER_NAME' },
        { field: 'role', header: 'ROLE' },
        { field: 'start', header: 'START_DATE', format: 'date' },
        { field: 'start', header: 'START_TIME', format: 'time' },
        { field: 'end', header: 'END_DATE', format: 'date' },
        { field: 'end', header: 'END_TIME', format: 'time' },
      ],
      'epic_optime_{yyyyMMdd_HHmm}.csv',
    ),
  readOptions: (raw, checks, path) => {
    const assignmentFields = readAssignmentFields(
      raw.assignmentFields,
      checks,
      [...path, 'assignmentFields'],
      mapped,
      ['importGroup', 'resourceType'],
    );
    for (const [id, fields] of assignmentFields) {
      if (fields.timeZone && !isValidZone(fields.timeZone)) {
        checks.report(
          [...path, 'assignmentFields', id, 'timeZone'],
          `${fields.timeZone} is not an IANA time zone`,
        );
      }
    }
    return { assignmentFields };
  },
  span: (run) => windowSpan(run.at, run.zone, run.window),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    const ser = { ...run, personId: 'epicSer' as const };
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      const fields = fieldsOf(run.options.assignmentFields, shift.assignmentId);
      if (!fields.importGroup) continue;
      const who = personFor(ser, shift);
      if (!who || who.externalId === '') continue;
      const zone = fields.timeZone;
      yield {
        key: shift.id,
        record: {
          importGroup: fields.importGroup,
          resourceType: fields.resourceType ?? '',
          role: fields.role ?? '',
          timeZone: zone ?? run.zone,
          serId: who.externalId,
          providerName: who.person?.name ?? shift.personId,
          start: zone ? new ZonedInstant(shift.start, zone) : shift.start,
          end: zone ? new ZonedInstant(shift.end, zone) : shift.end,
          assignmentId: shift.assignmentId,
          assignmentName: run.assignment(shift.assignmentId)?.name ?? shift.assignmentId,
          shiftId: shift.id,
        },
      };
    }
  },
};
