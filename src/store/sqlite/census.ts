import type {
  CareTeamMember,
  CensusStore,
  Patient,
  PatientAtLocation,
  PatientLocation,
  StoredStaffCoverage,
  Visit,
} from '../census-port.ts';
import {
  type CareTeamRow,
  MAX_MERGE_HOPS,
  type PatientRow,
  parseList,
  type StaffCoverageRow,
  sameParts,
  toMember,
  toPatient,
  toStaffCoverage,
  toVisit,
  type VisitRow,
} from '../rows/census.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

export class SqliteCensusStore implements CensusStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.statements = {
      upsertPatient: db.prepare(
        `INSERT INTO census_patients (mrn, identifiers, family, given, middle, birth_date, sex, flags, updated_at)
         VALUES (@mrn, @identifiers, @family, @given, @middle, @birth_date, @sex, @flags, @updated_at)
         ON CONFLICT (mrn) DO UPDATE SET identifiers = excluded.identifiers, family = excluded.family,
           given = excluded.given, middle = excluded.middle, birth_date = excluded.birth_date,
           sex = excluded.sex, merged_into = NULL, updated_at = excluded.updated_at`,
      ),
      upsertVisit: db.prepare(
        `INSERT INTO census_visits (visit_number, mrn, patient_class, status, facility, unit, room, bed,
           prior_location, admitted_at, discharged_at, updated_at)
         VALUES (@visit_number, @mrn, @patient_class, @status, @facility, @unit, @room, @bed,
           @prior_location, @admitted_at, @discharged_at, @updated_at)
         ON CONFLICT (visit_number) DO UPDATE SET mrn = excluded.mrn, patient_class = excluded.patient_class,
           status = excluded.status, facility = excluded.facility, unit = excluded.unit, room = excluded.room,
           bed = excluded.bed, prior_location = excluded.prior_location, admitted_at = excluded.admitted_at,
           discharged_at = excluded.discharged_at, updated_at = excluded.updated_at`,
      ),
      deleteScope: db.prepare('DELETE FROM census_care_team WHERE mrn = ? AND visit_number = ?'),
      insertMember: db.prepare(
        `INSERT INTO census_care_team (mrn, visit_number, position, role, role_text, source, provider_id,
           family, given, assigning_authority, id_type, starts_at, ends_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      setFlags: db.prepare('UPDATE census_patients SET flags = ?, updated_at = ? WHERE mrn = ?'),
      fileCensus: db.prepare('SELECT patients FROM census_file_sources WHERE source = ?'),
      saveFileCensus: db.prepare(
        `INSERT INTO census_file_sources (source, patients, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (source) DO UPDATE SET patients = excluded.patients, updated_at = excluded.updated_at`,
      ),
      patientRow: db.prepare('SELECT * FROM census_patients WHERE mrn = ?'),
      mergedInto: db.prepare('SELECT merged_into FROM census_patients WHERE mrn = ?'),
      visitRow: db.prepare('SELECT * FROM census_visits WHERE visit_number = ?'),
      activeVisit: db.prepare(
        `SELECT * FROM census_visits WHERE mrn = ? AND status = 'active'
         ORDER BY COALESCE(admitted_at, 0) DESC, updated_at DESC LIMIT 1`,
      ),
      scope: db.prepare(
        'SELECT * FROM census_care_team WHERE mrn = ? AND visit_number = ? ORDER BY position, id',
      ),
      // Merge: the same statements a PostgreSQL adapter would run, in one savepoint.
      stubPatient: db.prepare(
        `INSERT INTO census_patients (mrn, updated_at) VALUES (?, ?) ON CONFLICT (mrn) DO NOTHING`,
      ),
      moveVisits: db.prepare('UPDATE census_visits SET mrn = ? WHERE mrn = ?'),
      dropDuplicateMembers: db.prepare(
        `DELETE FROM census_care_team AS old WHERE old.mrn = ? AND old.visit_number = '' AND EXISTS (
           SELECT 1 FROM census_care_team AS kept WHERE kept.mrn = ? AND kept.visit_number = ''
             AND kept.role = old.role AND kept.provider_id = old.provider_id
             AND kept.family = old.family AND kept.given = old.given)`,
      ),
      moveMembers: db.prepare('UPDATE census_care_team SET mrn = ? WHERE mrn = ?'),
      markMerged: db.prepare('UPDATE census_patients SET merged_into = ?, updated_at = ? WHERE mrn = ?'),
      markLive: db.prepare('UPDATE census_patients SET merged_into = NULL WHERE mrn = ?'),
      repointMerged: db.prepare('UPDATE census_patients SET merged_into = ? WHERE merged_into = ?'),
      unitVisits: db.prepare(
        `SELECT * FROM census_visits WHERE unit = ? COLLATE NOCASE AND status = 'active'
         ORDER BY room, bed, visit_number`,
      ),
      allActiveVisits: db.prepare(
        `SELECT * FROM census_visits WHERE status = 'active' ORDER BY unit, room, bed, visit_number`,
      ),
      saveStaff: db.prepare(
        `INSERT INTO staff_coverage (source, entries, revision, updated_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (source) DO UPDATE SET entries = excluded.entries,
           revision = staff_coverage.revision + 1, updated_at = excluded.updated_at
         RETURNING revision`,
      ),
      staff: db.prepare('SELECT source, entries, revision, updated_at FROM staff_coverage ORDER BY source'),
      staffStamp: db.prepare(
        "SELECT count(*) || ':' || COALESCE(sum(revision), 0) AS stamp FROM staff_coverage",
      ),
    };
  }

  async upsertPatient(p: Patient): Promise<void> {
    await this.commit.write(() =>
      this.statements.upsertPatient.run({
        mrn: p.mrn,
        identifiers: JSON.stringify(p.identifiers),
        family: p.family,
        given: p.given,
        middle: p.middle,
        birth_date: p.birthDate,
        sex: p.sex,
        flags: JSON.stringify(p.flags),
        updated_at: p.updatedAt.getTime(),
      }),
    );
  }

  async upsertVisit(v: Visit): Promise<void> {
    await this.commit.write(() =>
      this.statements.upsertVisit.run({
        visit_number: v.visitNumber,
        mrn: v.mrn,
        patient_class: v.patientClass,
        status: v.status,
        facility: v.location.facility,
        unit: v.location.unit,
        room: v.location.room,
        bed: v.location.bed,
        prior_location: v.priorLocation ? JSON.stringify(v.priorLocation) : null,
        admitted_at: v.admittedAt?.getTime() ?? null,
        discharged_at: v.dischargedAt?.getTime() ?? null,
        updated_at: v.updatedAt.getTime(),
      }),
    );
  }

  async setCareTeam(mrn: string, visitNumber: string | undefined, members: CareTeamMember[]): Promise<void> {
    const scope = visitNumber ?? '';
    await this.commit.write(() => {
      this.statements.deleteScope.run(mrn, scope);
      members.forEach((m, position) => {
        this.statements.insertMember.run(
          mrn,
          scope,
          position,
          m.role,
          m.roleText,
          m.source,
          m.provider.id,
          m.provider.family,
          m.provider.given,
          m.provider.assigningAuthority,
          m.provider.idType,
          m.start?.getTime() ?? null,
          m.end?.getTime() ?? null,
        );
      });
    });
  }

  async saveStaffCoverage(source: string, entries: unknown[], at: Date): Promise<number> {
    return this.commit.write(
      () =>
        (this.statements.saveStaff.get(source, JSON.stringify(entries), at.getTime()) as { revision: number })
          .revision,
    );
  }

  async staffCoverage(): Promise<StoredStaffCoverage[]> {
    return (this.statements.staff.all() as StaffCoverageRow[]).map(toStaffCoverage);
  }

  async staffCoverageStamp(): Promise<string> {
    return (this.statements.staffStamp.get() as { stamp: string }).stamp;
  }

  async fileCensus(source: string): Promise<Map<string, number>> {
    const row = this.statements.fileCensus.get(source) as { patients: string } | undefined;
    return new Map(row ? Object.entries(JSON.parse(row.patients) as Record<string, number>) : []);
  }

  async saveFileCensus(source: string, patients: ReadonlyMap<string, number>, at: Date): Promise<void> {
    const text = JSON.stringify(Object.fromEntries(patients));
    await this.commit.write(() => this.statements.saveFileCensus.run(source, text, at.getTime()));
  }

  async setPatientFlags(mrn: string, flags: string[]): Promise<void> {
    const survivor = this.survivingMrn(mrn) ?? mrn;
    await this.commit.write(() => this.statements.setFlags.run(JSON.stringify(flags), Date.now(), survivor));
  }

  async mergePatients(fromMrn: string, intoMrn: string): Promise<void> {
    if (fromMrn === intoMrn) return;
    const s = this.statements;
    await this.commit.write(() => {
      const now = Date.now();
      s.stubPatient.run(fromMrn, now);
      s.stubPatient.run(intoMrn, now);
      const from = s.patientRow.get(fromMrn) as PatientRow;
      const into = s.patientRow.get(intoMrn) as PatientRow;
      const flags = [...new Set([...parseList(into.flags), ...parseList(from.flags)])];
      s.setFlags.run(JSON.stringify(flags), now, intoMrn);
      s.moveVisits.run(intoMrn, fromMrn);
      s.dropDuplicateMembers.run(fromMrn, intoMrn);
      s.moveMembers.run(intoMrn, fromMrn);
      // The survivor is live even if it had once been merged away (a merge reversed by a second A40).
      s.markLive.run(intoMrn);
      s.markMerged.run(intoMrn, now, fromMrn);
      // Anyone merged into the retired number earlier now points straight at the survivor.
      s.repointMerged.run(intoMrn, fromMrn);
    });
  }

  async patient(mrn: string): Promise<Patient | undefined> {
    const row = this.statements.patientRow.get(mrn) as PatientRow | undefined;
    if (row === undefined) return undefined;
    if (row.merged_into === null) return toPatient(row);
    const survivor = this.survivingMrn(mrn);
    if (survivor === undefined) return undefined;
    return toPatient(this.statements.patientRow.get(survivor) as PatientRow);
  }

  async visit(visitNumber: string): Promise<Visit | undefined> {
    const row = this.statements.visitRow.get(visitNumber) as VisitRow | undefined;
    return row ? toVisit(row) : undefined;
  }

  async activeVisit(mrn: string): Promise<Visit | undefined> {
    const survivor = this.survivingMrn(mrn);
    if (survivor === undefined) return undefined;
    const row = this.statements.activeVisit.get(survivor) as VisitRow | undefined;
    return row ? toVisit(row) : undefined;
  }

  async careTeam(mrn: string, at?: Date): Promise<CareTeamMember[]> {
    const survivor = this.survivingMrn(mrn);
    if (survivor === undefined) return [];
    const active = this.statements.activeVisit.get(survivor) as VisitRow | undefined;
    const rows = this.statements.scope.all(survivor, '') as CareTeamRow[];
    if (active) rows.push(...(this.statements.scope.all(survivor, active.visit_number) as CareTeamRow[]));
    const members = rows.map(toMember);
    if (at === undefined) return members;
    const t = at.getTime();
    return members.filter(
      (m) =>
        (m.start === undefined || m.start.getTime() <= t) && (m.end === undefined || t < m.end.getTime()),
    );
  }

  async careTeamScope(mrn: string, visitNumber: string | undefined): Promise<CareTeamMember[]> {
    return (this.statements.scope.all(mrn, visitNumber ?? '') as CareTeamRow[]).map(toMember);
  }

  async patientsAt(where: Partial<PatientLocation>): Promise<PatientAtLocation[]> {
    const rows = (
      where.unit ? this.statements.unitVisits.all(where.unit) : this.statements.allActiveVisits.all()
    ) as VisitRow[];
    const out: PatientAtLocation[] = [];
    for (const row of rows) {
      const visit = toVisit(row);
      if (!sameParts(visit.location, where)) continue;
      const patient = this.statements.patientRow.get(row.mrn) as PatientRow | undefined;
      if (patient) out.push({ patient: toPatient(patient), visit });
    }
    return out;
  }

  async findInHouse(text: string, limit: number): Promise<PatientAtLocation[]> {
    const like = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = this.db
      .prepare(
        `SELECT v.* FROM census_patients p JOIN census_visits v ON v.mrn = p.mrn AND v.status = 'active'
         WHERE p.merged_into IS NULL
           AND (lower(p.mrn) LIKE ? ESCAPE '\\' OR lower(p.family || ', ' || p.given) LIKE ? ESCAPE '\\')
         ORDER BY p.family, p.given, p.mrn LIMIT ?`,
      )
      .all(`${like}%`, `%${like}%`, limit) as VisitRow[];
    const out: PatientAtLocation[] = [];
    for (const row of rows) {
      const patient = this.statements.patientRow.get(row.mrn) as PatientRow | undefined;
      if (patient) out.push({ patient: toPatient(patient), visit: toVisit(row) });
    }
    return out;
  }

  /** The number a patient is known by now, after any merges; undefined when nobody has this number. */
  private survivingMrn(mrn: string): string | undefined {
    let current = mrn;
    for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
      const row = this.statements.mergedInto.get(current) as Pick<PatientRow, 'merged_into'> | undefined;
      if (!row) return undefined;
      if (row.merged_into === null) return current;
      current = row.merged_into;
    }
    return undefined;
  }
}
