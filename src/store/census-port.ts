/**
 * The census port: patients, their visits (where they lie now) and their care teams, as kept current
 * from HL7 ADT by `src/census`. The types live here, below everything, so that the census, the routing
 * core and the store adapters share them without importing one another.
 */

/** One identifier of a patient, from a PID-3 repetition (CX). */
export interface PatientIdentifier {
  /** CX.1 */
  id: string;
  /** CX.5 identifier type code, e.g. 'MR', 'PI', 'SS' ('' when absent). */
  type: string;
  /** CX.4.1 assigning authority ('' when absent). */
  authority: string;
}

export interface Patient {
  /** The medical record number: the PID-3 repetition of type MR, or the first one. */
  mrn: string;
  identifiers: PatientIdentifier[];
  /** PID-5.1.1 */
  family: string;
  /** PID-5.2 */
  given: string;
  /** PID-5.3 ('' when absent). */
  middle: string;
  /** PID-7 as a calendar date 'YYYY-MM-DD' (a date, not an instant), '' when absent. */
  birthDate: string;
  /** PID-8 administrative sex code, e.g. 'F', 'M', 'U' ('' when absent). */
  sex: string;
  /** Flags set by rules (e.g. 'fall-risk', 'VIP'); ADT updates never clear them. */
  flags: string[];
  updatedAt: Date;
}

/** A PL (person location) as HL7 v2 spells it in PV1-3 and PV1-6. Absent parts are ''. */
export interface PatientLocation {
  /** PL.4.1 */
  facility: string;
  /** PL.1 point of care: the nursing unit, e.g. '4W', 'ICU', 'ED'. */
  unit: string;
  /** PL.2 */
  room: string;
  /** PL.3 */
  bed: string;
}

/**
 * preadmitted: A05, not yet in a bed. active: admitted or registered (A01/A04). discharged: A03.
 * cancelled: the admission was cancelled (A11).
 */
export type VisitStatus = 'preadmitted' | 'active' | 'discharged' | 'cancelled';

export interface Visit {
  /** PV1-19.1, or `MRN:<mrn>` when the sender does not number visits (one running visit per patient). */
  visitNumber: string;
  mrn: string;
  /** PV1-2, e.g. 'I' inpatient, 'E' emergency, 'O' outpatient ('' when absent). */
  patientClass: string;
  status: VisitStatus;
  location: PatientLocation;
  /** Where the patient was before the last transfer (PV1-6, or our own record of it). */
  priorLocation?: PatientLocation;
  /** PV1-44 */
  admittedAt?: Date;
  /** PV1-45 */
  dischargedAt?: Date;
  updatedAt: Date;
}

/** A provider as an XCN: id and name, and whose id it is. Absent parts are ''. */
export interface Provider {
  /** XCN.1 */
  id: string;
  /** XCN.2.1 */
  family: string;
  /** XCN.3 */
  given: string;
  /** XCN.9.1, e.g. the EHR's provider master */
  assigningAuthority: string;
  /** XCN.13, e.g. 'NPI', 'DN' */
  idType: string;
}

/** Where a care-team entry came from, so that an update from the same place can replace it. */
export type CareTeamSource = 'PV1-7' | 'PV1-8' | 'PV1-9' | 'PV1-17' | 'PD1-4' | 'ROL';

export interface CareTeamMember {
  /**
   * 'attending' (PV1-7), 'referring' (PV1-8), 'consulting' (PV1-9), 'admitting' (PV1-17),
   * 'primary-care' (PD1-4), or for a ROL segment its ROL-3 role code as sent ('PP', 'AT', 'CP', ...).
   */
  role: string;
  /** ROL-3.2 text, e.g. 'Primary Care Provider' ('' when absent or not from ROL). */
  roleText: string;
  source: CareTeamSource;
  provider: Provider;
  /** The visit this entry belongs to; undefined for a patient-level entry (PD1-4, ROL before PV1). */
  visitNumber?: string;
  /** ROL-5 */
  start?: Date;
  /** ROL-6 */
  end?: Date;
}

/** A patient lying at a location now, with the visit that puts them there. */
export interface PatientAtLocation {
  patient: Patient;
  visit: Visit;
}

export interface CensusStore {
  /** Creates or replaces the patient's demographics; keeps the flags already stored. */
  upsertPatient(patient: Patient): Promise<void>;
  /** Creates or replaces a visit, keyed by its visit number. */
  upsertVisit(visit: Visit): Promise<void>;
  /**
   * Replaces the care team of one scope: a visit (`visitNumber`), or the patient-level entries
   * (`visitNumber` undefined).
   */
  setCareTeam(mrn: string, visitNumber: string | undefined, members: CareTeamMember[]): Promise<void>;
  setPatientFlags(mrn: string, flags: string[]): Promise<void>;
  /**
   * Moves visits and care team of `fromMrn` to `intoMrn` (A40). Afterwards, lookups by `fromMrn`
   * answer with the surviving patient, so that a late message under the old number still finds them.
   */
  mergePatients(fromMrn: string, intoMrn: string): Promise<void>;

  /** The patient, following merges: the answer's `mrn` is the surviving number. */
  patient(mrn: string): Promise<Patient | undefined>;
  visit(visitNumber: string): Promise<Visit | undefined>;
  /** The patient's active visit (the latest admitted when there are several), following merges. */
  activeVisit(mrn: string): Promise<Visit | undefined>;
  /**
   * Who looks after the patient now: patient-level entries and those of the active visit. With `at`,
   * only entries whose ROL-5/6 window contains it.
   */
  careTeam(mrn: string, at?: Date): Promise<CareTeamMember[]>;
  /** The stored entries of one scope exactly (the census uses this to apply ROL add/update/delete). */
  careTeamScope(mrn: string, visitNumber: string | undefined): Promise<CareTeamMember[]>;
  /**
   * Patients with an active visit at a location. Only the parts given are compared (case-insensitive):
   * `{ unit: '4W' }` lists the unit, `{ unit: '4W', room: '401' }` one room.
   */
  patientsAt(location: Partial<PatientLocation>): Promise<PatientAtLocation[]>;
  /**
   * In-house patients (an active visit) for a picker: those whose MRN starts with `text`, or whose
   * "FAMILY, GIVEN" contains it (case-insensitive), by name; merged-away numbers are left out.
   */
  findInHouse(text: string, limit: number): Promise<PatientAtLocation[]>;
  /**
   * What applying one ADT message reads, in one look, on a store where each read is a round trip
   * (PostgreSQL): the patient as stored under `mrn`, its active visit, the visit the message is about
   * (`visitNumber`, or else the active one, or else `MRN:<mrn>`) and the care team of both scopes.
   * Undefined when `mrn` was merged into another number: the caller reads as usual then.
   */
  readForAdt?(mrn: string, visitNumber: string | undefined): Promise<AdtReads | undefined>;
  /**
   * Replaces the coverage entries a staff import last brought (see StoredStaffCoverage); resolves with
   * the source's revision now.
   */
  saveStaffCoverage(source: string, entries: unknown[], at: Date): Promise<number>;
  /** Every staff import's last entries. */
  staffCoverage(): Promise<StoredStaffCoverage[]>;
  /** Changes whenever any staff import's entries are saved: compare it to read them again only then. */
  staffCoverageStamp(): Promise<string>;
  /**
   * The patients a census file import (`source`) put in the census, each with the number of files in a
   * row it was missing from: what discharge by absence counts on, whichever instance applies the next file.
   */
  fileCensus(source: string): Promise<Map<string, number>>;
  /** Replaces what `source` holds, after each file it applied. */
  saveFileCensus(source: string, patients: ReadonlyMap<string, number>, at: Date): Promise<void>;
}

/** What one staff import (staff-csv, staff-rest) last brought, shared by the instances of a cluster. */
export interface StoredStaffCoverage {
  source: string;
  /** The coverage entries as the import read them (census/coverage-plan.ts StaffCoverage). */
  entries: unknown[];
  /** Counts the source's saves: a higher one is newer, whatever the clocks say. */
  revision: number;
  updatedAt: Date;
}

/** What applying ADT reads and writes of the census (census/apply.ts). */
export type AdtCensus = Pick<
  CensusStore,
  | 'patient'
  | 'activeVisit'
  | 'visit'
  | 'careTeamScope'
  | 'upsertPatient'
  | 'upsertVisit'
  | 'setCareTeam'
  | 'mergePatients'
>;

/** See CensusStore.readForAdt. */
export interface AdtReads {
  patient: Patient | undefined;
  activeVisit: Visit | undefined;
  /** The visit number the message's visit resolves to, and that visit as stored (if it is). */
  visitNumber: string;
  visit: Visit | undefined;
  patientTeam: CareTeamMember[];
  visitTeam: CareTeamMember[];
}
