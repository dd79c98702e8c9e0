/**
 * Census and nurse assignments from flat files, for sites whose ADT feed does not carry everything (or
 * whose nurse call system is the truth for nursing assignments): a census export and a staff assignment
 * export, read with a column mapping. Reading is all or nothing per file (a row with a problem fails the
 * file, so a half-read census never discharges the other half); a staff id that names nobody, or two
 * people, is reported and left out, never guessed.
 */
import type { CensusStore, Patient, PatientLocation } from '../store/census-port.ts';
import { readCsvTable } from './coverage-csv.ts';
import type { StaffCoverage } from './coverage-plan.ts';
import { parseClock, type ShiftWindow } from './shift-window.ts';

/** Which column holds each value; every name is matched without regard to case. */
export interface CensusColumns {
  mrn: string;
  family: string;
  given: string;
  birthDate?: string;
  sex?: string;
  unit: string;
  room?: string;
  bed?: string;
  facility?: string;
  visit?: string;
  /** 'discharged' (or 'D') discharges the patient now; anything else keeps them in. */
  status?: string;
}

export const defaultCensusColumns: CensusColumns = {
  mrn: 'mrn',
  family: 'family',
  given: 'given',
  birthDate: 'birth_date',
  sex: 'sex',
  unit: 'unit',
  room: 'room',
  bed: 'bed',
  facility: 'facility',
  visit: 'visit',
  status: 'status',
};

export interface CensusRow {
  line: number;
  mrn: string;
  family: string;
  given: string;
  birthDate: string;
  sex: string;
  location: PatientLocation;
  visit: string;
  discharged: boolean;
}

export interface FileProblem {
  line: number;
  key: string;
  message: string;
}

/** A census export read whole, or its problems (then nothing of it may be applied). */
export function readCensusFile(
  text: string,
  columns: CensusColumns,
): { rows: CensusRow[]; problems: FileProblem[] } {
  const table = readCsvTable(text);
  const problems: FileProblem[] = [...table.problems];
  const col = (name: string | undefined) => name?.toLowerCase();
  for (const key of ['mrn', 'family', 'unit'] as const) {
    if (!table.header.includes(col(columns[key])!))
      problems.push({
        line: table.headerLine,
        key: columns[key],
        message: `the header needs the ${key} column "${columns[key]}"`,
      });
  }
  if (problems.length) return { rows: [], problems };
  const rows: CensusRow[] = [];
  const seen = new Set<string>();
  for (const r of table.rows) {
    const get = (name: string | undefined) => (name ? (r.values.get(col(name)!) ?? '').trim() : '');
    const mrn = get(columns.mrn);
    const unit = get(columns.unit);
    if (!mrn) problems.push({ line: r.line, key: columns.mrn, message: 'is empty' });
    else if (seen.has(mrn))
      problems.push({ line: r.line, key: columns.mrn, message: `${mrn} is listed twice` });
    const status = get(columns.status).toLowerCase();
    const discharged = status === 'discharged' || status === 'd';
    if (!unit && !discharged) problems.push({ line: r.line, key: columns.unit, message: 'is empty' });
    seen.add(mrn);
    rows.push({
      line: r.line,
      mrn,
      family: get(columns.family),
      given: get(columns.given),
      birthDate: get(columns.birthDate),
      sex: get(columns.sex),
      location: { facility: get(columns.facility), unit, room: get(columns.room), bed: get(columns.bed) },
      visit: get(columns.visit),
      discharged,
    });
  }
  return problems.length ? { rows: [], problems } : { rows, problems: [] };
}

export interface CensusApplied {
  admittedOrMoved: number;
  discharged: number;
  /** Patients of this source missing from this file, not yet discharged (the absence rule waits). */
  missing: string[];
}

/**
 * Applies one census file of source `source` as a whole: every patient listed is in the census at the
 * place the file says; a patient this source put in the census and the file no longer lists is
 * discharged once missing from `dischargeAfterMissing` files in a row (0: never by absence, only when
 * a row says so). `missedBefore` counts each patient's misses so far; this returns the new counts.
 */
export async function applyCensusFile(
  store: CensusStore,
  rows: readonly CensusRow[],
  options: {
    source: string;
    now: Date;
    dischargeAfterMissing: number;
    ours: ReadonlySet<string>;
    missedBefore: ReadonlyMap<string, number>;
  },
): Promise<CensusApplied & { ours: Set<string>; missed: Map<string, number> }> {
  const { source, now } = options;
  const visitOf = (row: { mrn: string; visit: string }) => row.visit || `${source}:${row.mrn}`;
  let admittedOrMoved = 0;
  let discharged = 0;
  const ours = new Set(options.ours);
  const listed = new Set<string>();
  for (const row of rows) {
    listed.add(row.mrn);
    const existing = await store.patient(row.mrn);
    const active = await store.activeVisit(row.mrn);
    if (row.discharged) {
      if (active && ours.has(row.mrn)) {
        await store.upsertVisit({ ...active, status: 'discharged', dischargedAt: now, updatedAt: now });
        discharged += 1;
      }
      ours.delete(row.mrn);
      continue;
    }
    const patient: Patient = {
      mrn: row.mrn,
      identifiers: existing?.identifiers.length
        ? existing.identifiers
        : [{ id: row.mrn, type: 'MR', authority: '' }],
      family: row.family || existing?.family || '',
      given: row.given || existing?.given || '',
      middle: existing?.middle ?? '',
      birthDate: row.birthDate || existing?.birthDate || '',
      sex: row.sex || existing?.sex || '',
      flags: existing?.flags ?? [],
      updatedAt: now,
    };
    await store.upsertPatient(patient);
    const same = active && samePlace(active.location, row.location);
    if (!same) {
      const visitNumber = active?.visitNumber ?? visitOf(row);
      await store.upsertVisit({
        visitNumber,
        mrn: row.mrn,
        patientClass: active?.patientClass || 'I',
        status: 'active',
        location: row.location,
        ...(active ? { priorLocation: active.location } : {}),
        admittedAt: active?.admittedAt ?? now,
        updatedAt: now,
      });
      admittedOrMoved += 1;
    }
    ours.add(row.mrn);
  }
  const missed = new Map<string, number>();
  const missing: string[] = [];
  for (const mrn of ours) {
    if (listed.has(mrn)) continue;
    const count = (options.missedBefore.get(mrn) ?? 0) + 1;
    if (options.dischargeAfterMissing > 0 && count >= options.dischargeAfterMissing) {
      const active = await store.activeVisit(mrn);
      if (active) {
        await store.upsertVisit({ ...active, status: 'discharged', dischargedAt: now, updatedAt: now });
        discharged += 1;
      }
      ours.delete(mrn);
    } else {
      missed.set(mrn, count);
      missing.push(mrn);
    }
  }
  return { admittedOrMoved, discharged, missing, ours, missed };
}

function samePlace(a: PatientLocation, b: PatientLocation): boolean {
  const n = (s: string) => s.trim().toUpperCase();
  return (
    n(a.unit) === n(b.unit) &&
    n(a.room) === n(b.room) &&
    n(a.bed) === n(b.bed) &&
    n(a.facility) === n(b.facility)
  );
}

/** Which field of a staff assignment row holds each value (CSV column names, or JSON keys of a pull). */
export interface StaffColumns {
  staff: string;
  role: string;
  unit: string;
  beds: string;
  start: string;
  end: string;
}

export const defaultStaffColumns: StaffColumns = {
  staff: 'staff',
  role: 'role',
  unit: 'unit',
  beds: 'beds',
  start: 'start',
  end: 'end',
};

export interface StaffRecord {
  line: number;
  values: (field: string) => string;
}

export interface UnmatchedStaff {
  line: number;
  staff: string;
  reason: string;
}

/**
 * Staff assignment rows as coverage entries. `findPeople` maps the source's staff id to directory people
 * (through the crosswalk); nobody or two people → reported, never applied. Times are local wall clock
 * `HH:mm` (empty for around the clock). Each entry's origin names the source, shown as the dry run's why.
 */
export function readStaffRecords(
  records: readonly StaffRecord[],
  columns: StaffColumns,
  source: string,
  findPeople: (staffId: string) => string[],
): { entries: StaffCoverage[]; unmatched: UnmatchedStaff[]; problems: FileProblem[] } {
  const entries: StaffCoverage[] = [];
  const unmatched: UnmatchedStaff[] = [];
  const problems: FileProblem[] = [];
  for (const r of records) {
    const staff = r.values(columns.staff).trim();
    const role = r.values(columns.role).trim();
    const unit = r.values(columns.unit).trim();
    if (!staff) problems.push({ line: r.line, key: columns.staff, message: 'is empty' });
    if (!role) problems.push({ line: r.line, key: columns.role, message: 'is empty' });
    if (!unit) problems.push({ line: r.line, key: columns.unit, message: 'is empty' });
    const start = r.values(columns.start).trim();
    const end = r.values(columns.end).trim();
    let window: ShiftWindow | undefined;
    if (start || end) {
      const from = parseClock(start);
      const to = parseClock(end, true);
      if (from === undefined || to === undefined) {
        problems.push({
          line: r.line,
          key: from === undefined ? columns.start : columns.end,
          message: 'must be a local time HH:MM',
        });
        continue;
      }
      window = { start: from, end: to };
    }
    if (!staff || !role || !unit) continue;
    const people = findPeople(staff);
    if (people.length !== 1) {
      unmatched.push({
        line: r.line,
        staff,
        reason: people.length === 0 ? 'matches nobody in the directory' : `matches ${people.length} people`,
      });
      continue;
    }
    const bedsText = r.values(columns.beds).trim();
    entries.push({
      person: people[0]!,
      role,
      unit,
      beds: bedsText === '' ? [] : bedsText.split(/[\s;,|]+/).filter((b) => b !== ''),
      ...(window ? { window } : {}),
      origin: { file: source, line: r.line },
    });
  }
  return { entries, unmatched, problems };
}

/** CSV text as staff records (header names matched without regard to case). */
export function staffRecordsOfCsv(text: string): { records: StaffRecord[]; problems: FileProblem[] } {
  const table = readCsvTable(text);
  return {
    records: table.rows.map((r) => ({
      line: r.line,
      values: (field) => r.values.get(field.toLowerCase()) ?? '',
    })),
    problems: table.problems,
  };
}

/** A JSON array of objects (a nurse call system's REST export) as staff records; line = 1-based index. */
export function staffRecordsOfJson(body: unknown): { records: StaffRecord[]; problems: FileProblem[] } {
  const list = Array.isArray(body) ? body : (body as { assignments?: unknown })?.assignments;
  if (!Array.isArray(list))
    return { records: [], problems: [{ line: 0, key: '', message: 'is not a list of assignments' }] };
  return {
    records: list.map((item, i) => ({
      line: i + 1,
      values: (field) => {
        const v = (item as Record<string, unknown>)?.[field];
        if (Array.isArray(v)) return v.join(' ');
        return v === undefined || v === null ? '' : String(v);
      },
    })),
    problems: [],
  };
}

/** How one census or staff import stands, for the API (GET /api/census-imports). */
export interface CensusImportStatus {
  id: string;
  kind: 'census-csv' | 'staff-csv' | 'staff-rest';
  lastRun: string | null;
  lastSuccess: string | null;
  lastError: string | null;
  /** Last run: patients admitted or moved and discharged (census), entries and unmatched staff (staff). */
  lastCounts: Record<string, number>;
  unmatched: UnmatchedStaff[];
}
