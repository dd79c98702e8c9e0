/**
 * New Innovations duty hours: the residents' shifts for its Duty Hours module. The first file holds every
 * published shift of the mapped assignments in the window; each later file only those added, changed or
 * deleted since the file before (the delta state survives a restart). Per assignment the site may map the
 * NI duty hour name, the NI assignment name, notes for every slot and a location.
 */
import { csvLayout, type FileExportKind, type KeyedRecord } from './export-kind.ts';
import {
  type AssignmentFields,
  assignmentFieldsOnly,
  fieldsOf,
  notesOf,
  personFor,
} from './export-options.ts';
import { publishedShifts } from './shift-pages.ts';
import { windowSpan } from './spans.ts';

const mapped = ['dutyHourName', 'assignmentName', 'notes', 'location'] as const;

export interface NewInnovationsOptions {
  assignmentFields: AssignmentFields;
}

export const newInnovations: FileExportKind<NewInnovationsOptions> = {
  kind: 'new-innovations',
  fields: [
    'action',
    'residentId',
    'residentName',
    'dutyHourName',
    'assignmentName',
    'start',
    'end',
    'notes',
    'location',
    'assignmentId',
    'shiftId',
  ],
  dateFields: ['start', 'end'],
  deltas: true,
  optionKeys: ['assignmentFields'],
  defaultLayout: (zone) =>
    csvLayout(
      zone,
      [
        { field: 'action', header: 'Action' },
        { field: 'residentId', header: 'UserID' },
        { field: 'residentName', header: 'Name' },
        { field: 'dutyHourName', header: 'DutyHourName' },
        { field: 'assignmentName', header: 'AssignmentName' },
        { field: 'start', header: 'StartDate', format: 'date' },
        { field: 'start', header: 'StartTime', format: 'time' },
        { field: 'end', header: 'EndDate', format: 'date' },
        { field: 'end', header: 'EndTime', format: 'time' },
        { field: 'location', header: 'Location' },
        { field: 'notes', header: 'Notes' },
      ],
      'new_innovations_{yyyyMMdd}.csv',
    ),
  readOptions: assignmentFieldsOnly(mapped),
  span: (run) => windowSpan(run.at, run.zone, run.window),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      if (run.mapped.size === 0 && !run.options.assignmentFields.has(shift.assignmentId)) continue;
      const who = personFor(run, shift);
      if (!who || who.externalId === '') continue;
      const fields = fieldsOf(run.options.assignmentFields, shift.assignmentId);
      const name = run.assignment(shift.assignmentId)?.name ?? shift.assignmentId;
      yield {
        key: shift.id,
        record: {
          residentId: who.externalId,
          residentName: who.person?.name ?? shift.personId,
          dutyHourName: fields.dutyHourName ?? name,
          assignmentName: fields.assignmentName ?? name,
          start: shift.start,
          end: shift.end,
          notes: notesOf(run, shift, fields.notes),
          location: fields.location ?? '',
          assignmentId: shift.assignmentId,
          shiftId: shift.id,
        },
      };
    }
  },
};
