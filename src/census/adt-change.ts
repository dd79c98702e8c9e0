/**
 * From an ADT message to a census change: what the message says happened, read and normalised but not
 * yet applied. Pure (no store, no clock) so that every event can be tested without a database; see
 * apply.ts for what each change does to the stored census.
 */
import type { Hl7Message, Segment } from '../protocols/hl7/index.ts';
import type { CareTeamMember, CareTeamSource, PatientLocation, Provider } from '../store/census-port.ts';
import {
  type PatientFacts,
  PV1_PROVIDER_FIELDS,
  type RoleAction,
  readLocation,
  readPatient,
  readPriorMrn,
  readProviders,
  readRole,
  type Sent,
  sentValue,
} from './adt-fields.ts';
import { parseHl7Time } from './hl7-time.ts';

/** What an ADT trigger event means for the census (HL7 v2.5.1 chapter 3.3). */
export type AdtAction =
  | 'admit'
  | 'register'
  | 'preadmit'
  | 'transfer'
  | 'discharge'
  | 'update'
  | 'change-class'
  | 'cancel-admit'
  | 'cancel-transfer'
  | 'cancel-discharge'
  | 'cancel-preadmit'
  | 'merge';

/** The trigger events the census follows. Any other event is ignored: it is not an error. */
export const ADT_EVENTS: Readonly<Record<string, AdtAction>> = Object.freeze({
  A01: 'admit',
  A04: 'register',
  A05: 'preadmit',
  A02: 'transfer',
  A03: 'discharge',
  A08: 'update',
  A06: 'change-class', // outpatient → inpatient
  A07: 'change-class', // inpatient → outpatient
  A11: 'cancel-admit', // cancels an A01 or an A04
  A12: 'cancel-transfer',
  A13: 'cancel-discharge',
  A38: 'cancel-preadmit',
  A40: 'merge', // merge patient, patient identifier list
  A34: 'merge', // the pre-2.3.1 form of the same merge (patient id only)
});

export interface VisitFacts {
  /** PV1-19.1; undefined when the sender does not number visits. */
  visitNumber?: string;
  /** PV1-2 */
  patientClass?: string;
  /** PV1-3 */
  location: Sent<PatientLocation | undefined>;
  /** PV1-6 */
  priorLocation: Sent<PatientLocation | undefined>;
  /** PV1-44 */
  admittedAt?: Date;
  /** PV1-45 */
  dischargedAt?: Date;
}

/** A provider field that was sent: its entries replace those of the same source. */
export interface CareTeamField {
  source: CareTeamSource;
  role: string;
  /** PD1-4 belongs to the patient, PV1 fields to the visit. */
  level: 'patient' | 'visit';
  /** Empty when sent as HL7 null: everyone from this source leaves the care team. */
  providers: Provider[];
}

/** One person in one ROL segment, and whether they join or leave. */
export interface CareTeamRole {
  action: RoleAction;
  /** ROL-2 as sent. */
  actionCode: string;
  /** A ROL before the first PV1 belongs to the patient (ADT_A01 structure), one after it to the visit. */
  level: 'patient' | 'visit';
  member: CareTeamMember;
}

export interface CensusChange {
  /** The trigger event, e.g. 'A02'. */
  event: string;
  action: AdtAction;
  /** EVN-6 (event occurred), else EVN-2 (recorded), else MSH-7, else when the message was received. */
  occurredAt: Date;
  /** The patient of the first PID: for a merge, the surviving patient. */
  patient: PatientFacts;
  /** The first PV1, when the message has one. */
  visit?: VisitFacts;
  careTeamFields: CareTeamField[];
  careTeamRoles: CareTeamRole[];
  /** A40/A34: each PID with its MRG, the prior number to retire into the PID's number. */
  merges: Array<{ priorMrn: string; patient: PatientFacts }>;
}

export interface AdtReadOptions {
  /** The site's IANA time zone: HL7 times without an offset are local times there. */
  zone: string;
  /** When the message was received; the event time when the message carries none. */
  receivedAt?: Date;
}

/** A census event that cannot be applied because it names no patient (PID-3 empty). */
export class CensusMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CensusMessageError';
  }
}

/**
 * Reads an ADT message into a census change. Returns undefined for anything the census does not follow
 * (another message type, or an ADT event not in ADT_EVENTS). Throws CensusMessageError when a followed
 * event names no patient.
 */
export function adtToCensusChange(message: Hl7Message, options: AdtReadOptions): CensusChange | undefined {
  if (message.header.messageType.toUpperCase() !== 'ADT') return undefined;
  // MSH-9.2 is authoritative; EVN-1 is the older place for it (kept optional since v2.3).
  const event = (message.header.triggerEvent || message.get('EVN-1') || '').toUpperCase();
  const action = ADT_EVENTS[event];
  if (action === undefined) return undefined;

  const zone = options.zone;
  const segments = message.segments();
  const pids = segments.filter((s) => s.name === 'PID');
  const patient = pids.length > 0 ? readPatient(pids[0]) : undefined;
  if (patient === undefined) {
    throw new CensusMessageError(`ADT^${event} has no patient identifier in PID-3`);
  }

  const occurredAt =
    parseHl7Time(message.get('EVN-6.1'), zone) ??
    parseHl7Time(message.get('EVN-2.1'), zone) ??
    parseHl7Time(message.header.dateTime, zone) ??
    options.receivedAt ??
    new Date();

  const change: CensusChange = {
    event,
    action,
    occurredAt,
    patient,
    careTeamFields: [],
    careTeamRoles: [],
    merges: action === 'merge' ? readMerges(segments) : [],
  };

  const pv1 = segments.find((s) => s.name === 'PV1');
  if (pv1) change.visit = readVisit(pv1, zone);

  // Care team: only from the first patient's segments (a merge message's later PIDs are other people).
  const firstPatientSegments = untilSecond(segments, 'PID');
  let seenPv1 = false;
  for (const segment of firstPatientSegments) {
    if (segment.name === 'PV1') {
      seenPv1 = true;
      for (const f of PV1_PROVIDER_FIELDS) {
        const providers = readProviders(segment, f.field);
        if (providers.sent) {
          change.careTeamFields.push({
            source: f.source,
            role: f.role,
            level: 'visit',
            providers: providers.value,
          });
        }
      }
    } else if (segment.name === 'PD1') {
      const providers = readProviders(segment, 4);
      if (providers.sent) {
        change.careTeamFields.push({
          source: 'PD1-4',
          role: 'primary-care',
          level: 'patient',
          providers: providers.value,
        });
      }
    } else if (segment.name === 'ROL') {
      for (const r of readRole(segment)) {
        const member: CareTeamMember = {
          role: r.role,
          roleText: r.roleText,
          source: 'ROL',
          provider: r.provider,
        };
        const start = parseHl7Time(r.start, zone);
        const end = parseHl7Time(r.end, zone);
        if (start) member.start = start;
        if (end) member.end = end;
        change.careTeamRoles.push({
          action: r.action,
          actionCode: r.actionCode,
          level: seenPv1 ? 'visit' : 'patient',
          member,
        });
      }
    }
  }
  return change;
}

function readVisit(pv1: Segment, zone: string): VisitFacts {
  const visit: VisitFacts = {
    location: readLocation(pv1, 3),
    priorLocation: readLocation(pv1, 6),
  };
  const visitNumber = sentValue(pv1, '19.1');
  if (visitNumber) visit.visitNumber = visitNumber;
  const patientClass = sentValue(pv1, '2.1');
  if (patientClass !== undefined) visit.patientClass = patientClass;
  const admitted = parseHl7Time(pv1.value('44.1'), zone);
  if (admitted) visit.admittedAt = admitted;
  const discharged = parseHl7Time(pv1.value('45.1'), zone);
  if (discharged) visit.dischargedAt = discharged;
  return visit;
}

/** A40 repeats {PID, [PD1], MRG, [PV1]}: pair each PID with the MRG that follows it. */
function readMerges(segments: Segment[]): CensusChange['merges'] {
  const merges: CensusChange['merges'] = [];
  let current: PatientFacts | undefined;
  for (const segment of segments) {
    if (segment.name === 'PID') current = readPatient(segment);
    else if (segment.name === 'MRG' && current) {
      const priorMrn = readPriorMrn(segment);
      if (priorMrn !== undefined && priorMrn !== current.mrn) merges.push({ priorMrn, patient: current });
    }
  }
  return merges;
}

/** The segments up to (not including) the second segment named `name`. */
function untilSecond(segments: Segment[], name: string): Segment[] {
  let seen = 0;
  const out: Segment[] = [];
  for (const segment of segments) {
    if (segment.name === name && ++seen === 2) break;
    out.push(segment);
  }
  return out;
}
