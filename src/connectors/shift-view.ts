/**
 * A shift as a target sees it: the person under the id the target knows them by (the crosswalk id the
 * connector names), the assignment under the target's names for it, and only what the connector includes.
 * Every connector reads shifts through here, so "a draft is not on the schedule" and "a person without a
 * UPN is skipped and reported" mean the same everywhere.
 */
import { createHash } from 'node:crypto';
import type { Shift } from '../store/schedule-port.ts';
import type { ConnectorSettings, PlanningContext, Skip } from './connector.ts';

export interface ShiftFacts {
  shiftId: string;
  assignmentId: string;
  assignmentName: string;
  department: string;
  /** The target's names for the assignment (roles, teams, groups); [] when the mapping names none. */
  targetNames: readonly string[];
  callOrder: number;
  start: Date;
  end: Date;
  personId: string;
  personName: string;
  /** The person's id at the target (their UPN, CC&C token); our id when the connector says personId: id. */
  targetPersonId: string;
  placeholder: boolean;
  /** Present only when the connector includes notes. */
  notes?: string;
}

export type ShiftView =
  | { kind: 'shown'; facts: ShiftFacts }
  /** Not on the schedule as far as targets go (a draft, a placeholder the connector leaves out). */
  | { kind: 'hidden' }
  /** Should be shown but cannot be: reported in the log and the digest. */
  | { kind: 'skipped'; skip: Skip };

export function viewShift(shift: Shift, settings: ConnectorSettings, ctx: PlanningContext): ShiftView {
  if (!shift.published) return { kind: 'hidden' };
  const person = ctx.directory().person(shift.personId);
  if (!person)
    return { kind: 'skipped', skip: { subject: shift.personId, reason: 'is not in the directory' } };
  if (person.placeholder && !settings.include.placeholders) return { kind: 'hidden' };
  const targetPersonId = settings.personId === 'id' ? person.id : person.ids[settings.personId];
  if (!targetPersonId)
    return {
      kind: 'skipped',
      skip: { subject: person.id, reason: `${person.name} has no ${settings.personId} in the directory` },
    };
  const assignment = ctx.assignment(shift.assignmentId);
  const facts: ShiftFacts = {
    shiftId: shift.id,
    assignmentId: shift.assignmentId,
    assignmentName: assignment?.name ?? shift.assignmentId,
    department: assignment?.department ?? '',
    targetNames: settings.assignments.get(shift.assignmentId) ?? [],
    callOrder: shift.callOrder,
    start: shift.start,
    end: shift.end,
    personId: person.id,
    personName: person.name,
    targetPersonId,
    placeholder: person.placeholder,
  };
  if (settings.include.notes && shift.notes) facts.notes = shift.notes;
  return { kind: 'shown', facts };
}

/** A short, stable digest of a target state (SHA-256, hex, first 32): equal states, equal hashes. */
export function contentHash(state: unknown): string {
  return createHash('sha256').update(stableJson(state)).digest('hex').slice(0, 32);
}

/** JSON with object keys sorted, so the hash does not depend on the order fields were set in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
