/**
 * Epic On Call Finder (the on-call source of Epic Secure Chat): every few minutes, the whole window of the
 * mapped on-call assignments as one CSV that Epic imports over the previous one. Per assignment the site
 * maps the Epic team id, team name, role, a note prefix, the team comment (Epic's banner over the team's
 * page); the call order and the slot notes come from the shift, the provider's id from the crosswalk.
 * Epic publishes no layout; this default follows the catalog's fields, and the site's Epic analyst
 * adjusts columns and formats in config.
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

const mapped = ['teamId', 'teamName', 'role', 'notePrefix', 'teamComment'] as const;

export interface OnCallFinderOptions {
  assignmentFields: AssignmentFields;
}

export const epicOnCallFinder: FileExportKind<OnCallFinderOptions> = {
  kind: 'epic-on-call-finder',
  fields: [
    ...mapped,
    'providerId',
    'providerName',
    'placeholder',
    'start',
    'end',
    'callOrder',
    'notes',
    'assignmentId',
    'shiftId',
  ],
  dateFields: ['start', 'end'],
  deltas: false,
  optionKeys: ['assignmentFields'],
  defaultLayout: (zone) =>
    csvLayout(
      zone,
      [
        { field: 'teamId', header: 'TEAM_ID' },
        { field: 'teamName', header: 'TEAM_NAME' },
        { field: 'role', header: 'ROLE' },
        { field: 'providerId', header: 'PROVIDER_ID' },
        { field: 'providerName', header: 'PROVIDER_NAME' },
        { field: 'start', header: 'START_DTTM' },
        { field: 'end', header: 'END_DTTM' },
        { field: 'callOrder', header: 'CALL_ORDER' },
        { field: 'notes', header: 'NOTES' },
        { field: 'teamComment', header: 'TEAM_COMMENT' },
      ],
      'epic_on_call_{yyyyMMdd_HHmmss}.csv',
    ),
  readOptions: assignmentFieldsOnly(mapped, ['teamId']),
  span: (run) => windowSpan(run.at, run.zone, run.window),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    const { assignmentFields } = run.options;
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      const fields = fieldsOf(assignmentFields, shift.assignmentId);
      if (!fields.teamId) {
        if (run.mapped.has(shift.assignmentId))
          run.skip(shift.assignmentId, 'has no Epic teamId in assignmentFields');
        continue;
      }
      const who = personFor(run, shift);
      if (!who) continue;
      yield {
        key: shift.id,
        record: {
          teamId: fields.teamId,
          teamName: fields.teamName ?? run.assignment(shift.assignmentId)?.name ?? '',
          role: fields.role ?? '',
          notePrefix: fields.notePrefix ?? '',
          teamComment: fields.teamComment ?? '',
          providerId: who.externalId,
          providerName: who.person?.name ?? shift.personId,
          placeholder: who.person?.placeholder ?? false,
          start: shift.start,
          end: shift.end,
          callOrder: shift.callOrder,
          notes: notesOf(run, shift, fields.notePrefix),
          assignmentId: shift.assignmentId,
          shiftId: shift.id,
        },
      };
    }
  },
};
