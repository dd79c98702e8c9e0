/**
 * Care-team bookkeeping that does not need the store: applying a sent provider field or a ROL segment to
 * one scope's entries, telling who joined and who left, and finding the members in a role.
 */
import type { CareTeamMember } from '../store/census-port.ts';
import type { CareTeamField, CareTeamRole } from './adt-change.ts';

/**
 * ROL-3 role codes (HL7 table 0443) that mean the same as a PV1 provider field, so that a rule asking
 * for the 'attending' finds the attending whether the sender used PV1-7 or a ROL segment.
 */
const ROLE_SYNONYMS: Readonly<Record<string, string>> = Object.freeze({
  AT: 'attending',
  RP: 'referring',
  CP: 'consulting',
  AD: 'admitting',
  PP: 'primary-care',
});

/** The role name a member answers to: 'attending' for PV1-7 and for ROL 'AT' alike; other codes as sent. */
export function roleName(member: Pick<CareTeamMember, 'role'>): string {
  return ROLE_SYNONYMS[member.role.toUpperCase()] ?? member.role;
}

/**
 * Members in a role, asked by name ('attending') or by ROL code ('AT'), case-insensitive; each person
 * once (the same doctor often comes both in PV1-7 and in a ROL 'AT'), in care-team order.
 */
export function membersInRole(members: CareTeamMember[], role: string): CareTeamMember[] {
  const wanted = role.toUpperCase();
  const wantedName = (ROLE_SYNONYMS[wanted] ?? role).toUpperCase();
  const seen = new Set<string>();
  return members.filter((m) => {
    if (m.role.toUpperCase() !== wanted && roleName(m).toUpperCase() !== wantedName) return false;
    const who = personKey(m);
    if (seen.has(who)) return false;
    seen.add(who);
    return true;
  });
}

/** Who a member is: their id when the sender gave one, their name otherwise. */
function personKey(m: CareTeamMember): string {
  const p = m.provider;
  return p.id !== ''
    ? `id:${p.id}|${p.assigningAuthority}`.toUpperCase()
    : `name:${p.family}|${p.given}`.toUpperCase();
}

/** One person in one role from one source. */
function entryKey(m: CareTeamMember): string {
  return `${m.source}|${m.role.toUpperCase()}|${personKey(m)}`;
}

/**
 * Applies sent provider fields and ROL segments to one scope's entries. A sent field replaces everyone
 * from that field (HL7 null empties it); a ROL adds/updates or removes one person in one role.
 */
export function applyToScope(
  entries: CareTeamMember[],
  fields: CareTeamField[],
  roles: CareTeamRole[],
  visitNumber: string | undefined,
): CareTeamMember[] {
  let next = entries.slice();
  const scoped = (m: CareTeamMember): CareTeamMember => {
    const copy: CareTeamMember = { ...m, provider: { ...m.provider } };
    if (visitNumber === undefined) delete copy.visitNumber;
    else copy.visitNumber = visitNumber;
    return copy;
  };
  for (const field of fields) {
    next = next.filter((m) => m.source !== field.source);
    for (const provider of field.providers) {
      next.push(scoped({ role: field.role, roleText: '', source: field.source, provider }));
    }
  }
  for (const r of roles) {
    const member = scoped(r.member);
    const key = entryKey(member);
    const at = next.findIndex((m) => entryKey(m) === key);
    if (r.action === 'delete') {
      if (at !== -1) next.splice(at, 1);
    } else if (at === -1) next.push(member);
    else next[at] = member;
  }
  return next;
}

/** Who joined and who left between two versions of a scope. */
export function careTeamDiff(
  before: CareTeamMember[],
  after: CareTeamMember[],
): { added: CareTeamMember[]; removed: CareTeamMember[] } {
  const beforeKeys = new Set(before.map(entryKey));
  const afterKeys = new Set(after.map(entryKey));
  return {
    added: after.filter((m) => !beforeKeys.has(entryKey(m))),
    removed: before.filter((m) => !afterKeys.has(entryKey(m))),
  };
}

/** True when two versions of a scope would store the same rows. */
export function sameCareTeam(a: CareTeamMember[], b: CareTeamMember[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => {
    const n = b[i];
    return (
      entryKey(m) === entryKey(n) &&
      m.roleText === n.roleText &&
      m.provider.family === n.provider.family &&
      m.provider.given === n.provider.given &&
      m.provider.idType === n.provider.idType &&
      m.start?.getTime() === n.start?.getTime() &&
      m.end?.getTime() === n.end?.getTime()
    );
  });
}
