/**
 * Readers for the ADT fields the census keeps: PID (patient), PV1 (visit, location, providers), PD1-4
 * (primary care), ROL (roles), MRG (merges). Field and component numbers follow HL7 v2.5.1 chapter 3.
 *
 * HL7 v2 separates "not sent" from "delete" (chapter 2.5.3): an empty field says nothing and leaves the
 * receiver's value alone, while the null value `""` says the value is gone. Readers return undefined for
 * "not sent" so that an update applies only what the sender actually said.
 */
import type { Repetition, Segment } from '../protocols/hl7/index.ts';
import type { CareTeamSource, PatientIdentifier, PatientLocation, Provider } from '../store/census-port.ts';
import { parseHl7Date } from './hl7-time.ts';

/** HL7's explicit null: "delete this value". */
export const HL7_NULL = '""';

/** What a PID says about the patient. Undefined: not sent (keep what is stored). */
export interface PatientFacts {
  mrn: string;
  identifiers: PatientIdentifier[];
  family?: string;
  given?: string;
  middle?: string;
  birthDate?: string;
  sex?: string;
}

/** A field that was sent (maybe as "delete"), or not sent at all. */
export type Sent<T> = { sent: false } | { sent: true; value: T };

/** Raw text of field n of a segment, '' when absent. */
function raw(segment: Segment, n: number): string {
  return segment.field(n) ?? '';
}

/** A simple value: undefined when not sent, '' when sent as HL7 null. */
function simple(segment: Segment, path: string): string | undefined {
  const value = segment.value(path);
  if (value === undefined || value === '') return undefined;
  return value === HL7_NULL ? '' : value;
}

/**
 * PID-3 repetitions (CX), in order, skipping empty ones. Each repetition is read from the segment's
 * split of the field (done once), so the work is linear in the field however many repetitions it has,
 * and stops at the message's repetition limit.
 */
export function readIdentifiers(pid: Segment): PatientIdentifier[] {
  const out: PatientIdentifier[] = [];
  for (const cx of pid.repetitions(3)) {
    const id = cx.value(1) ?? '';
    if (id === '' || id === HL7_NULL) continue;
    out.push({ id, type: cx.value(5) ?? '', authority: cx.value(4, 1) ?? '' });
  }
  return out;
}

/** The medical record number: the identifier of type MR, else the first one (HL7 table 0203). */
export function pickMrn(identifiers: PatientIdentifier[]): string | undefined {
  return (identifiers.find((i) => i.type.toUpperCase() === 'MR') ?? identifiers[0])?.id;
}

/** The patient as one PID segment describes them; undefined when PID-3 holds no identifier. */
export function readPatient(pid: Segment): PatientFacts | undefined {
  const identifiers = readIdentifiers(pid);
  const mrn = pickMrn(identifiers);
  if (mrn === undefined) return undefined;
  const facts: PatientFacts = { mrn, identifiers };
  const name = raw(pid, 5);
  if (name === HL7_NULL) {
    facts.family = '';
    facts.given = '';
    facts.middle = '';
  } else if (name !== '') {
    // PID-5 is XPN; its first component is FN, whose first subcomponent is the surname.
    facts.family = pid.value('5(1).1.1') ?? '';
    facts.given = pid.value('5(1).2') ?? '';
    facts.middle = pid.value('5(1).3') ?? '';
  }
  const birth = simple(pid, '7');
  if (birth !== undefined) facts.birthDate = parseHl7Date(birth);
  const sex = simple(pid, '8.1');
  if (sex !== undefined) facts.sex = sex;
  return facts;
}

/** A PL field (PV1-3, PV1-6): point of care, room, bed, facility. */
export function readLocation(segment: Segment, n: number): Sent<PatientLocation | undefined> {
  const text = raw(segment, n);
  if (text === '') return { sent: false };
  if (text === HL7_NULL) return { sent: true, value: undefined };
  // Point of care, room and bed are IS before v2.7 and HD from v2.7 on ('4W&1.2.3&ISO'): the first
  // subcomponent is the name either way.
  return {
    sent: true,
    value: {
      unit: segment.value(`${n}.1.1`) ?? '',
      room: segment.value(`${n}.2.1`) ?? '',
      bed: segment.value(`${n}.3.1`) ?? '',
      facility: segment.value(`${n}.4.1`) ?? '',
    },
  };
}

/** One XCN repetition as a provider; undefined when it names nobody (no id and no surname). */
function readProvider(xcn: Repetition): Provider | undefined {
  const provider: Provider = {
    id: xcn.value(1) ?? '',
    family: xcn.value(2, 1) ?? '',
    given: xcn.value(3) ?? '',
    assigningAuthority: xcn.value(9, 1) ?? '',
    idType: xcn.value(13) ?? '',
  };
  if (provider.id === HL7_NULL) provider.id = '';
  return provider.id === '' && provider.family === '' ? undefined : provider;
}

/** Every provider in a repeating XCN field; `sent: true, value: []` is HL7 null (remove them all). */
export function readProviders(segment: Segment, n: number): Sent<Provider[]> {
  const text = raw(segment, n);
  if (text === '') return { sent: false };
  if (text === HL7_NULL) return { sent: true, value: [] };
  const providers: Provider[] = [];
  for (const xcn of segment.repetitions(n)) {
    const p = readProvider(xcn);
    if (p) providers.push(p);
  }
  return { sent: true, value: providers };
}

/** The PV1 provider fields and the care-team role each one fills (HL7 v2.5.1 section 3.4.3). */
export const PV1_PROVIDER_FIELDS: ReadonlyArray<{ field: number; source: CareTeamSource; role: string }> = [
  { field: 7, source: 'PV1-7', role: 'attending' },
  { field: 8, source: 'PV1-8', role: 'referring' },
  { field: 9, source: 'PV1-9', role: 'consulting' },
  { field: 17, source: 'PV1-17', role: 'admitting' },
];

/** ROL-2 action codes (HL7 table 0287). */
export type RoleAction = 'add' | 'delete';

/** One person in one ROL segment. */
export interface RoleFacts {
  action: RoleAction;
  /** ROL-2 as sent, e.g. 'AD', 'UP', 'DE', 'UC'. */
  actionCode: string;
  /** ROL-3.1, e.g. 'PP', 'AT'. */
  role: string;
  /** ROL-3.2 */
  roleText: string;
  provider: Provider;
  start?: string;
  end?: string;
}

/**
 * A ROL segment: add, update, unchanged and link (AD, UP, UC, CO, LI) all mean "this person holds this
 * role"; delete and unlink (DE, UN) mean they no longer do. An unknown or empty code is taken as an
 * update: saying who holds a role is what a ROL segment is for.
 */
export function readRole(rol: Segment): RoleFacts[] {
  const actionCode = (rol.value('2.1') ?? '').toUpperCase();
  const action: RoleAction = actionCode === 'DE' || actionCode === 'UN' ? 'delete' : 'add';
  const role = rol.value('3.1') ?? '';
  if (role === '') return [];
  const roleText = rol.value('3.2') ?? '';
  const start = simple(rol, '5');
  const end = simple(rol, '6');
  const people = readProviders(rol, 4);
  if (!people.sent) return [];
  return people.value.map((provider) => {
    const facts: RoleFacts = { action, actionCode, role, roleText, provider };
    if (start) facts.start = start;
    if (end) facts.end = end;
    return facts;
  });
}

/** The prior patient number in an MRG segment (MRG-1, type MR or the first). */
export function readPriorMrn(mrg: Segment): string | undefined {
  const identifiers: PatientIdentifier[] = [];
  for (const cx of mrg.repetitions(1)) {
    const id = cx.value(1) ?? '';
    if (id !== '' && id !== HL7_NULL) identifiers.push({ id, type: cx.value(5) ?? '', authority: '' });
  }
  return pickMrn(identifiers);
}

export { simple as sentValue };
