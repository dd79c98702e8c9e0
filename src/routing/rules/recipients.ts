/**
 * Recipient specs as analysts write them: one kind key per entry.
 *
 *   - { onCall: hospitalist }                 # first in call order (order: first | all | 2 …)
 *   - { careTeam: attending }                 # the patient's care-team member in that role
 *   - { coverage: nurse, scope: bed }         # staff covering the bed / unit (default bedOrUnit)
 *   - { person: p-ahmed }  - { group: rapid-response-team }  - { pager: '5551234' }
 *   - { recipients: rule }                    # escalation steps only: the rule's own recipients
 */
import type { FileChecker, KeyPath } from './checks.ts';
import type { EscalationTarget, RecipientSpec } from './types.ts';

const KINDS = ['onCall', 'careTeam', 'coverage', 'person', 'group', 'pager'] as const;
const SCOPES = ['bed', 'unit', 'bedOrUnit'] as const;

/** Optional hook: the caller (who knows the directory and schedules) says whether an id exists. */
export type RecipientCheck = (spec: RecipientSpec) => string | undefined;

export function parseRecipients(
  value: unknown,
  at: KeyPath,
  check: FileChecker,
  allowRule: boolean,
  known?: RecipientCheck,
): EscalationTarget[] | undefined {
  // A single entry may be written without the list: `failsafe: { group: operators }`.
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const one = parseRecipient(value, at, check, allowRule, known);
    return one === undefined ? undefined : [one];
  }
  const list = check.list(value, at);
  if (!list) return undefined;
  if (list.length === 0) return check.report(at, 'must name at least one recipient');
  const specs = list.map((item, i) => parseRecipient(item, [...at, i], check, allowRule, known));
  return specs.every((s) => s !== undefined) ? (specs as EscalationTarget[]) : undefined;
}

function parseRecipient(
  value: unknown,
  at: KeyPath,
  check: FileChecker,
  allowRule: boolean,
  known?: RecipientCheck,
): EscalationTarget | undefined {
  const kinds: readonly string[] = allowRule ? [...KINDS, 'recipients'] : KINDS;
  const record = check.mapping(value, at, [...kinds, 'order', 'scope']);
  if (!record) return undefined;
  const given = kinds.filter((k) => record[k] !== undefined);
  if (given.length !== 1) {
    return check.report(at, `needs exactly one of ${kinds.join(', ')} (found ${given.join(', ') || 'none'})`);
  }
  const kind = given[0];
  const where = [...at, kind];
  const source = check.at(at);
  if (record.order !== undefined && kind !== 'onCall')
    check.report([...at, 'order'], 'applies to onCall only');
  if (record.scope !== undefined && kind !== 'coverage') {
    check.report([...at, 'scope'], 'applies to coverage only');
  }
  let spec: EscalationTarget | undefined;
  switch (kind) {
    case 'recipients':
      if (record.recipients !== 'rule') return check.report(where, "must be 'rule' (the rule's recipients)");
      return { kind: 'ruleRecipients', at: source };
    case 'onCall': {
      const assignment = check.id(record.onCall, where);
      const order = parseOrder(record.order, [...at, 'order'], check);
      if (assignment !== undefined && order !== undefined) spec = { kind, assignment, order, at: source };
      break;
    }
    case 'careTeam':
    case 'coverage': {
      const role = check.id(record[kind], where);
      if (role === undefined) return undefined;
      if (kind === 'careTeam') spec = { kind, role, at: source };
      else {
        const scope =
          record.scope === undefined ? 'bedOrUnit' : check.oneOf(record.scope, [...at, 'scope'], SCOPES);
        if (scope !== undefined) spec = { kind, role, scope, at: source };
      }
      break;
    }
    case 'person':
    case 'group': {
      const id = check.id(record[kind], where);
      if (id !== undefined) spec = { kind, id, at: source };
      break;
    }
    case 'pager': {
      const number = check.text(record.pager, where);
      if (number !== undefined && !/^[0-9+*#-]{3,32}$/.test(number)) {
        return check.report(where, 'must be a pager number (digits, optionally + * # -)');
      }
      if (number !== undefined) spec = { kind, number, at: source };
      break;
    }
  }
  if (spec && spec.kind !== 'ruleRecipients' && known) {
    const complaint = known(spec);
    if (complaint) return check.report(where, complaint);
  }
  return spec;
}

function parseOrder(value: unknown, at: KeyPath, check: FileChecker): 'first' | 'all' | number | undefined {
  if (value === undefined || value === 'first') return 'first';
  if (value === 'all') return 'all';
  if (typeof value === 'number') return check.integer(value, at, 1, 99);
  return check.report(at, 'must be first, all, or a position in call order (1, 2, …)');
}

/** The spec in plain words, for reasons, timelines and the dry run. */
export function describeRecipient(spec: EscalationTarget): string {
  switch (spec.kind) {
    case 'onCall':
      return spec.order === 'first'
        ? `on call for ${spec.assignment} (first in call order)`
        : spec.order === 'all'
          ? `everyone on call for ${spec.assignment}`
          : `on call for ${spec.assignment} (number ${spec.order} in call order)`;
    case 'careTeam':
      return `the patient's ${spec.role} (care team)`;
    case 'coverage':
      return `the ${spec.role} covering the patient's ${spec.scope === 'bedOrUnit' ? 'bed or unit' : spec.scope}`;
    case 'person':
      return `person ${spec.id}`;
    case 'group':
      return `group ${spec.id}`;
    case 'pager':
      return `pager ${spec.number}`;
    case 'ruleRecipients':
      return "the rule's recipients";
  }
}
