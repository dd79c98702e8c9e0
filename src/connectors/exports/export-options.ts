/**
 * Option readers the exports share: per-assignment fields (Epic's team id and role, Kronos's pay code,
 * New Innovations' duty hour name: the "assignment mapping" of each catalog entry) and the person's id in
 * the receiving system.
 */
import type { Person } from '../../directory/types.ts';
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { Shift } from '../../store/schedule-port.ts';
import type { ExportRun } from './export-kind.ts';

export type AssignmentFields = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** Reads `assignmentFields: { <assignment id>: { <field>: text } }`, each field one the export knows. */
export function readAssignmentFields(
  raw: unknown,
  checks: SectionChecks,
  path: Array<string | number>,
  known: readonly string[],
  required: readonly string[] = [],
): AssignmentFields {
  const out = new Map<string, Record<string, string>>();
  if (raw === undefined || raw === null) return out;
  const byAssignment = checks.mapping(raw, path, Object.keys(raw as object));
  for (const [assignmentId, value] of Object.entries(byAssignment ?? {})) {
    const fields = checks.mapping(value, [...path, assignmentId], known);
    if (!fields) continue;
    const read: Record<string, string> = {};
    for (const key of known) {
      const v = fields[key];
      const text =
        typeof v === 'number' || typeof v === 'boolean'
          ? String(v)
          : checks.text(v, [...path, assignmentId, key], required.includes(key));
      if (text !== undefined) read[key] = text;
    }
    out.set(assignmentId, read);
  }
  return out;
}

/** A kind's readOptions when its only option is `assignmentFields`. */
export function assignmentFieldsOnly(known: readonly string[], required: readonly string[] = []) {
  return (raw: Record<string, unknown>, checks: SectionChecks, path: Array<string | number>) => ({
    assignmentFields: readAssignmentFields(
      raw.assignmentFields,
      checks,
      [...path, 'assignmentFields'],
      known,
      required,
    ),
  });
}

/**
 * Whether a shift goes in this connector's files (its assignment is mapped, or nothing is mapped, and a
 * placeholder only when placeholders are included) and the person's id at the receiver; a person without
 * the id is skipped and reported, never sent under a guessed one.
 */
export function personFor(
  run: ExportRun<unknown>,
  shift: Shift,
): { person: Person | undefined; externalId: string } | undefined {
  if (run.mapped.size > 0 && !run.mapped.has(shift.assignmentId)) return undefined;
  const person = run.directory.person(shift.personId);
  if (person?.placeholder) {
    return run.include.placeholders ? { person, externalId: '' } : undefined;
  }
  const externalId = run.personId === 'id' ? shift.personId : person?.ids[run.personId];
  if (!externalId) {
    run.skip(shift.personId, person ? `has no ${run.personId} in the directory` : 'is not in the directory');
    return undefined;
  }
  return { person, externalId };
}

/** The assignment's fields for this export, or {} when it has none. */
export function fieldsOf(fields: AssignmentFields, assignmentId: string): Readonly<Record<string, string>> {
  return fields.get(assignmentId) ?? {};
}

/** The shift's notes when the connector includes notes (they may name patients: off by default). */
export function notesOf(run: ExportRun<unknown>, shift: Shift, prefix = ''): string {
  const notes = run.include.notes ? shift.notes : '';
  if (prefix === '') return notes;
  return notes === '' ? prefix : `${prefix} ${notes}`;
}
