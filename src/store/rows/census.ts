import type {
  CareTeamMember,
  CareTeamSource,
  Patient,
  PatientLocation,
  StoredStaffCoverage,
  Visit,
  VisitStatus,
} from '../census-port.ts';

/** Census rows as both stores keep them (migration 003), and how they read back. */
export interface PatientRow {
  mrn: string;
  identifiers: string;
  family: string;
  given: string;
  middle: string;
  birth_date: string;
  sex: string;
  flags: string;
  merged_into: string | null;
  updated_at: number;
}

export interface VisitRow {
  visit_number: string;
  mrn: string;
  patient_class: string;
  status: VisitStatus;
  facility: string;
  unit: string;
  room: string;
  bed: string;
  prior_location: string | null;
  admitted_at: number | null;
  discharged_at: number | null;
  updated_at: number;
}

export interface CareTeamRow {
  mrn: string;
  visit_number: string;
  role: string;
  role_text: string;
  source: CareTeamSource;
  provider_id: string;
  family: string;
  given: string;
  assigning_authority: string;
  id_type: string;
  starts_at: number | null;
  ends_at: number | null;
}

export interface StaffCoverageRow {
  source: string;
  entries: string;
  revision: number;
  updated_at: number;
}

export function toStaffCoverage(r: StaffCoverageRow): StoredStaffCoverage {
  return {
    source: r.source,
    entries: JSON.parse(r.entries),
    revision: r.revision,
    updatedAt: new Date(r.updated_at),
  };
}

/** A merge chain longer than this is a loop (A40 A→B then B→A); stop rather than spin. */
export const MAX_MERGE_HOPS = 16;

export function sameParts(location: PatientLocation, where: Partial<PatientLocation>): boolean {
  for (const key of ['facility', 'unit', 'room', 'bed'] as const) {
    const wanted = where[key];
    if (wanted && wanted.toUpperCase() !== location[key].toUpperCase()) return false;
  }
  return true;
}

export function parseList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.map(String) : [];
}

export function toPatient(r: PatientRow): Patient {
  return {
    mrn: r.mrn,
    identifiers: JSON.parse(r.identifiers),
    family: r.family,
    given: r.given,
    middle: r.middle,
    birthDate: r.birth_date,
    sex: r.sex,
    flags: parseList(r.flags),
    updatedAt: new Date(r.updated_at),
  };
}

export function toVisit(r: VisitRow): Visit {
  const visit: Visit = {
    visitNumber: r.visit_number,
    mrn: r.mrn,
    patientClass: r.patient_class,
    status: r.status,
    location: { facility: r.facility, unit: r.unit, room: r.room, bed: r.bed },
    updatedAt: new Date(r.updated_at),
  };
  if (r.prior_location !== null) visit.priorLocation = JSON.parse(r.prior_location);
  if (r.admitted_at !== null) visit.admittedAt = new Date(r.admitted_at);
  if (r.discharged_at !== null) visit.dischargedAt = new Date(r.discharged_at);
  return visit;
}

export function toMember(r: CareTeamRow): CareTeamMember {
  const member: CareTeamMember = {
    role: r.role,
    roleText: r.role_text,
    source: r.source,
    provider: {
      id: r.provider_id,
      family: r.family,
      given: r.given,
      assigningAuthority: r.assigning_authority,
      idType: r.id_type,
    },
  };
  if (r.visit_number !== '') member.visitNumber = r.visit_number;
  if (r.starts_at !== null) member.start = new Date(r.starts_at);
  if (r.ends_at !== null) member.end = new Date(r.ends_at);
  return member;
}
