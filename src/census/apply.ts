/**
 * Applies a census change to the store and says what changed, for the alert timeline and for tests.
 *
 * Each event follows HL7 v2.5.1 chapter 3.3: A01/A04 make the visit active; A02 moves it (PV1-6, or
 * our own record, becomes the prior location); A03 discharges; A08 updates what was sent; A11 cancels
 * the admission; A12 puts the patient back where PV1-3 says they were before the transfer (3.3.12), or
 * where we recorded them; A13 makes the visit active again; A40 moves visits and care team to the
 * surviving number. Applying the same message twice leaves the census as one application did, so a
 * message handed over again after a restart does no harm.
 */
import type {
  AdtCensus,
  CareTeamMember,
  CensusStore,
  Patient,
  PatientLocation,
  Visit,
  VisitStatus,
} from '../store/census-port.ts';
import type { CensusChange, VisitFacts } from './adt-change.ts';
import type { PatientFacts } from './adt-fields.ts';
import { applyToScope, careTeamDiff, sameCareTeam } from './care-team.ts';
import { formatLocation, isEmptyLocation, NO_LOCATION, sameLocation } from './location.ts';
import { withReadAhead } from './read-ahead.ts';

/** One fact that changed, e.g. { field: 'visit.location', from: '4W 401-A', to: 'ICU ICU-2' }. */
export interface CensusFieldChange {
  field: string;
  from: string;
  to: string;
}

export interface CensusUpdate {
  event: string;
  action: CensusChange['action'];
  /** The patient's number now (the survivor's, when the message used a number merged away earlier). */
  mrn: string;
  /** Set when the message's PID-3 number had been merged into `mrn`. */
  redirectedFrom?: string;
  visitNumber?: string;
  changes: CensusFieldChange[];
  careTeam: { added: CareTeamMember[]; removed: CareTeamMember[] };
  /** Prior numbers retired into a surviving one (A40). */
  merged: Array<{ from: string; into: string }>;
  patient: Patient;
  visit?: Visit;
}

const CANCELS = new Set(['cancel-admit', 'cancel-transfer', 'cancel-discharge', 'cancel-preadmit']);

export async function applyCensusChange(change: CensusChange, census: CensusStore): Promise<CensusUpdate> {
  // A merge moves what the look ahead would read: merges read as they go.
  const store =
    change.merges.length === 0
      ? await withReadAhead(census, change.patient.mrn, change.visit?.visitNumber)
      : census;
  const at = change.occurredAt;
  const changes: CensusFieldChange[] = [];
  const merged: CensusUpdate['merged'] = [];

  // Merges first: the survivors take the retired numbers' visits, then the rest applies to them.
  for (const m of change.merges) {
    await savePatient(m.patient, store, at, changes);
    await store.mergePatients(m.priorMrn, m.patient.mrn);
    merged.push({ from: m.priorMrn, into: m.patient.mrn });
    changes.push({ field: 'patient.mrn', from: m.priorMrn, to: m.patient.mrn });
  }

  const known = await store.patient(change.patient.mrn);
  const redirected = known !== undefined && known.mrn !== change.patient.mrn;
  // A late message under a retired number updates the survivor's visit, not the survivor's identity.
  const patient =
    redirected && known ? known : await savePatient(change.patient, store, at, changes, { known });
  const mrn = patient.mrn;

  let visit: Visit | undefined;
  if (change.action !== 'merge') {
    visit = await saveVisit(change, mrn, store, changes);
  }

  const added: CareTeamMember[] = [];
  const removed: CareTeamMember[] = [];
  const scopes: Array<{ level: 'patient' | 'visit'; visitNumber: string | undefined }> = [
    { level: 'patient', visitNumber: undefined },
  ];
  if (visit) scopes.push({ level: 'visit', visitNumber: visit.visitNumber });
  for (const scope of scopes) {
    const fields = change.careTeamFields.filter((f) => f.level === scope.level);
    const roles = change.careTeamRoles.filter((r) => r.level === scope.level);
    if (fields.length === 0 && roles.length === 0) continue;
    const before = await store.careTeamScope(mrn, scope.visitNumber);
    const after = applyToScope(before, fields, roles, scope.visitNumber);
    if (sameCareTeam(before, after)) continue;
    await store.setCareTeam(mrn, scope.visitNumber, after);
    const diff = careTeamDiff(before, after);
    added.push(...diff.added);
    removed.push(...diff.removed);
  }

  const update: CensusUpdate = {
    event: change.event,
    action: change.action,
    mrn,
    changes,
    careTeam: { added, removed },
    merged,
    // A merge may have joined flags into the survivor's record; otherwise what was saved is current.
    patient: change.merges.length > 0 ? ((await store.patient(mrn)) ?? patient) : patient,
  };
  if (redirected) update.redirectedFrom = change.patient.mrn;
  if (visit) {
    update.visitNumber = visit.visitNumber;
    update.visit = visit;
  }
  return update;
}

/** Demographics: what the PID sent replaces what is stored; what it left out stays. */
async function savePatient(
  facts: PatientFacts,
  store: AdtCensus,
  at: Date,
  changes: CensusFieldChange[],
  /** What the caller already read of this patient (undefined: nobody has the number yet). */
  lookedUp?: { known: Patient | undefined },
): Promise<Patient> {
  const before = lookedUp ? lookedUp.known : await store.patient(facts.mrn);
  const base: Patient = before?.mrn === facts.mrn ? before : emptyPatient(facts.mrn, at);
  const next: Patient = {
    ...base,
    identifiers: facts.identifiers.length > 0 ? facts.identifiers : base.identifiers,
    family: facts.family ?? base.family,
    given: facts.given ?? base.given,
    middle: facts.middle ?? base.middle,
    birthDate: facts.birthDate ?? base.birthDate,
    sex: facts.sex ?? base.sex,
    updatedAt: at,
  };
  const isNew = before?.mrn !== facts.mrn;
  const mine: CensusFieldChange[] = isNew ? [{ field: 'patient', from: '', to: facts.mrn }] : [];
  for (const key of ['family', 'given', 'middle', 'birthDate', 'sex'] as const) {
    if (!isNew && base[key] !== next[key])
      mine.push({ field: `patient.${key}`, from: base[key], to: next[key] });
  }
  const identifiersChanged = JSON.stringify(base.identifiers) !== JSON.stringify(next.identifiers);
  if (!isNew && identifiersChanged) {
    mine.push({ field: 'patient.identifiers', from: formatIds(base), to: formatIds(next) });
  }
  changes.push(...mine);
  if (mine.length > 0) await store.upsertPatient(next);
  return mine.length > 0 ? next : base;
}

function formatIds(p: Patient): string {
  return p.identifiers.map((i) => (i.type ? `${i.id} (${i.type})` : i.id)).join(', ');
}

function emptyPatient(mrn: string, at: Date): Patient {
  return {
    mrn,
    identifiers: [],
    family: '',
    given: '',
    middle: '',
    birthDate: '',
    sex: '',
    flags: [],
    updatedAt: at,
  };
}

async function saveVisit(
  change: CensusChange,
  mrn: string,
  store: AdtCensus,
  changes: CensusFieldChange[],
): Promise<Visit | undefined> {
  const facts: VisitFacts = change.visit ?? { location: { sent: false }, priorLocation: { sent: false } };
  // Without PV1-19 the patient has one running visit: the active one, or one named after the MRN.
  const visitNumber = facts.visitNumber ?? (await store.activeVisit(mrn))?.visitNumber ?? `MRN:${mrn}`;
  const before = await store.visit(visitNumber);
  // Nothing to cancel: a cancel for a visit we never saw changes nothing.
  if (before === undefined && CANCELS.has(change.action)) return undefined;

  const base: Visit = before ?? {
    visitNumber,
    mrn,
    patientClass: '',
    status: 'active',
    location: { ...NO_LOCATION },
    updatedAt: change.occurredAt,
  };
  const next: Visit = { ...base, mrn, updatedAt: change.occurredAt };
  if (facts.patientClass !== undefined) next.patientClass = facts.patientClass;
  placeVisit(change.action, facts, base, next);
  next.status = nextStatus(change.action, before, facts);
  if (facts.admittedAt) next.admittedAt = facts.admittedAt;
  else if (next.admittedAt === undefined && (change.action === 'admit' || change.action === 'register')) {
    next.admittedAt = change.occurredAt;
  }
  if (next.status === 'discharged') {
    next.dischargedAt = facts.dischargedAt ?? base.dischargedAt ?? change.occurredAt;
  } else if (
    change.action === 'cancel-discharge' ||
    change.action === 'admit' ||
    change.action === 'register'
  ) {
    delete next.dischargedAt;
  } else if (facts.dischargedAt) next.dischargedAt = facts.dischargedAt;

  const diff = visitChanges(before, next);
  changes.push(...diff);
  if (before === undefined || diff.length > 0 || before.mrn !== next.mrn) await store.upsertVisit(next);
  return next;
}

/** Where the patient lies after this event. */
function placeVisit(action: CensusChange['action'], facts: VisitFacts, base: Visit, next: Visit): void {
  const sentLocation = facts.location.sent ? (facts.location.value ?? { ...NO_LOCATION }) : undefined;
  if (action === 'transfer') {
    if (sentLocation && !sameLocation(base.location, sentLocation)) {
      const prior = facts.priorLocation.sent ? facts.priorLocation.value : base.location;
      setPrior(next, prior);
      next.location = sentLocation;
    } else if (facts.priorLocation.sent) setPrior(next, facts.priorLocation.value);
    return;
  }
  if (action === 'cancel-transfer') {
    // 3.3.12: PV1-3 holds where the patient was before the transfer; without it, use our record.
    const back = sentLocation && !isEmptyLocation(sentLocation) ? sentLocation : base.priorLocation;
    if (back) next.location = { ...back };
    delete next.priorLocation;
    return;
  }
  if (sentLocation) next.location = sentLocation;
  if (facts.priorLocation.sent) setPrior(next, facts.priorLocation.value);
}

function setPrior(visit: Visit, prior: PatientLocation | undefined): void {
  if (prior === undefined || isEmptyLocation(prior)) delete visit.priorLocation;
  else visit.priorLocation = { ...prior };
}

function nextStatus(
  action: CensusChange['action'],
  before: Visit | undefined,
  facts: VisitFacts,
): VisitStatus {
  switch (action) {
    case 'admit':
    case 'register':
    case 'cancel-discharge':
      return 'active';
    case 'discharge':
      return 'discharged';
    case 'cancel-admit':
      return 'cancelled';
    case 'cancel-preadmit':
      return before?.status === 'preadmitted' ? 'cancelled' : (before?.status ?? 'cancelled');
    case 'preadmit':
      return before === undefined || before.status === 'cancelled' ? 'preadmitted' : before.status;
    default:
      // Transfer, update, class change: the status stays; a visit first seen here is current.
      if (before) return before.status;
      return facts.dischargedAt ? 'discharged' : 'active';
  }
}

function visitChanges(before: Visit | undefined, after: Visit): CensusFieldChange[] {
  if (before === undefined) {
    return [
      { field: 'visit', from: '', to: after.visitNumber },
      { field: 'visit.status', from: '', to: after.status },
      { field: 'visit.location', from: '', to: formatLocation(after.location) },
    ];
  }
  const out: CensusFieldChange[] = [];
  const add = (field: string, from: string, to: string) => {
    if (from !== to) out.push({ field, from, to });
  };
  add('visit.mrn', before.mrn, after.mrn);
  add('visit.status', before.status, after.status);
  add('visit.patientClass', before.patientClass, after.patientClass);
  if (!sameLocation(before.location, after.location)) {
    out.push({
      field: 'visit.location',
      from: formatLocation(before.location),
      to: formatLocation(after.location),
    });
  }
  if (!sameLocation(before.priorLocation, after.priorLocation)) {
    out.push({
      field: 'visit.priorLocation',
      from: formatLocation(before.priorLocation),
      to: formatLocation(after.priorLocation),
    });
  }
  add('visit.admittedAt', before.admittedAt?.toISOString() ?? '', after.admittedAt?.toISOString() ?? '');
  add(
    'visit.dischargedAt',
    before.dischargedAt?.toISOString() ?? '',
    after.dischargedAt?.toISOString() ?? '',
  );
  return out;
}
