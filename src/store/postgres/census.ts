import type {
  AdtReads,
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
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';

type Queryable = Pick<PgPool, 'query'> | PgClient;

/** The active visit of the patient `mrn` names (a parameter or a column): the latest admitted. */
const activeVisitWhere = (
  mrn: string,
) => `SELECT * FROM census_visits WHERE mrn = ${mrn} AND status = 'active'
  ORDER BY COALESCE(admitted_at, 0) DESC, updated_at DESC LIMIT 1`;
const activeVisitOf = activeVisitWhere('$1');
/** The patient's merge mark with its active visit beside it (the visit's columns null when it has none). */
const patientWithActiveVisit = `SELECT p.merged_into AS merged, v.* FROM census_patients p
  LEFT JOIN LATERAL (${activeVisitWhere('p.mrn')}) v ON true
  WHERE p.mrn = $1`;
const scopeOf = 'SELECT * FROM census_care_team WHERE mrn = $1 AND visit_number = $2 ORDER BY position, id';

/**
 * Everything applying one ADT message reads, as JSON rows tagged by kind (readForAdt): the patient, its
 * active visit, the message's visit ($2, else the active one's number, else MRN:<mrn>) and the care team
 * of the patient and of that visit.
 */
const adtReads = `WITH patient AS (SELECT * FROM census_patients WHERE mrn = $1),
  active AS (${activeVisitOf}),
  number AS (SELECT COALESCE($2, (SELECT visit_number FROM active), 'MRN:' || $1) AS visit_number)
  SELECT 'patient' AS kind, to_jsonb(patient) AS row FROM patient
  UNION ALL SELECT 'active', to_jsonb(active) FROM active
  UNION ALL SELECT 'number', to_jsonb(number) FROM number
  UNION ALL SELECT 'visit', to_jsonb(v) FROM census_visits v JOIN number USING (visit_number)
  UNION ALL SELECT 'team', to_jsonb(t) FROM census_care_team t, number
    WHERE t.mrn = $1 AND (t.visit_number = '' OR t.visit_number = number.visit_number)`;

/**
 * The census in PostgreSQL: the same statements as the embedded store, numbered for PostgreSQL. What every
 * ADT message runs (readForAdt, the two upserts, the care team) is a named prepared statement, planned once
 * per connection: planning the read-ahead cost the server more than running it (262 against 45 µs a call).
 * Each names its columns or returns one `jsonb` per row, so a column a rolling upgrade adds changes no
 * result type (a prepared `SELECT *` would fail with "cached plan must not change result type"); each finds
 * its rows by key, so a plan made while the tables are small stays the right one. The messages' statements
 * stay unnamed: their generic plans, made on an empty table, ran four to fifty times slower.
 */
export class PostgresCensusStore implements CensusStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async upsertPatient(p: Patient): Promise<void> {
    await this.writes.track(
      this.pool.query({
        name: 'census-upsert-patient',
        text: `INSERT INTO census_patients (mrn, identifiers, family, given, middle, birth_date, sex, flags, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (mrn) DO UPDATE SET identifiers = excluded.identifiers, family = excluded.family,
           given = excluded.given, middle = excluded.middle, birth_date = excluded.birth_date,
           sex = excluded.sex, merged_into = NULL, updated_at = excluded.updated_at`,
        values: [
          p.mrn,
          JSON.stringify(p.identifiers),
          p.family,
          p.given,
          p.middle,
          p.birthDate,
          p.sex,
          JSON.stringify(p.flags),
          p.updatedAt.getTime(),
        ],
      }),
    );
  }

  async upsertVisit(v: Visit): Promise<void> {
    await this.writes.track(
      this.pool.query({
        name: 'census-upsert-visit',
        text: `INSERT INTO census_visits (visit_number, mrn, patient_class, status, facility, unit, room, bed,
           prior_location, admitted_at, discharged_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (visit_number) DO UPDATE SET mrn = excluded.mrn, patient_class = excluded.patient_class,
           status = excluded.status, facility = excluded.facility, unit = excluded.unit, room = excluded.room,
           bed = excluded.bed, prior_location = excluded.prior_location, admitted_at = excluded.admitted_at,
           discharged_at = excluded.discharged_at, updated_at = excluded.updated_at`,
        values: [
          v.visitNumber,
          v.mrn,
          v.patientClass,
          v.status,
          v.location.facility,
          v.location.unit,
          v.location.room,
          v.location.bed,
          v.priorLocation ? JSON.stringify(v.priorLocation) : null,
          v.admittedAt?.getTime() ?? null,
          v.dischargedAt?.getTime() ?? null,
          v.updatedAt.getTime(),
        ],
      }),
    );
  }

  async setCareTeam(mrn: string, visitNumber: string | undefined, members: CareTeamMember[]): Promise<void> {
    // One statement, so one round trip and atomic by itself: the old members go and the new come in the
    // same snapshot (an ADT storm writes two scopes per message; five round trips each cost the census).
    const column = <T>(f: (m: CareTeamMember, position: number) => T) => members.map(f);
    await this.writes.track(
      this.pool.query({
        name: 'census-set-care-team',
        text: `WITH gone AS (DELETE FROM census_care_team WHERE mrn = $1 AND visit_number = $2)
         INSERT INTO census_care_team (mrn, visit_number, position, role, role_text, source, provider_id,
           family, given, assigning_authority, id_type, starts_at, ends_at)
         SELECT $1, $2, m.* FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[]) AS m`,
        values: [
          mrn,
          visitNumber ?? '',
          column((_, position) => position),
          column((m) => m.role),
          column((m) => m.roleText),
          column((m) => m.source),
          column((m) => m.provider.id),
          column((m) => m.provider.family),
          column((m) => m.provider.given),
          column((m) => m.provider.assigningAuthority),
          column((m) => m.provider.idType),
          column((m) => m.start?.getTime() ?? null),
          column((m) => m.end?.getTime() ?? null),
        ],
      }),
    );
  }

  async saveStaffCoverage(source: string, entries: unknown[], at: Date): Promise<number> {
    const { rows } = await this.writes.track(
      this.pool.query<{ revision: number }>(
        `INSERT INTO staff_coverage (source, entries, revision, updated_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (source) DO UPDATE SET entries = excluded.entries,
           revision = staff_coverage.revision + 1, updated_at = excluded.updated_at
         RETURNING revision`,
        [source, JSON.stringify(entries), at.getTime()],
      ),
    );
    return rows[0].revision;
  }

  async staffCoverage(): Promise<StoredStaffCoverage[]> {
    const { rows } = await this.pool.query<StaffCoverageRow>(
      'SELECT source, entries, revision, updated_at FROM staff_coverage ORDER BY source',
    );
    return rows.map(toStaffCoverage);
  }

  async fileCensus(source: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ patients: string }>(
      'SELECT patients FROM census_file_sources WHERE source = $1',
      [source],
    );
    return new Map(rows[0] ? Object.entries(JSON.parse(rows[0].patients) as Record<string, number>) : []);
  }

  async saveFileCensus(source: string, patients: ReadonlyMap<string, number>, at: Date): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO census_file_sources (source, patients, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (source) DO UPDATE SET patients = excluded.patients, updated_at = excluded.updated_at`,
        [source, JSON.stringify(Object.fromEntries(patients)), at.getTime()],
      ),
    );
  }

  async staffCoverageStamp(): Promise<string> {
    const { rows } = await this.pool.query<{ stamp: string }>(
      "SELECT count(*) || ':' || COALESCE(sum(revision), 0) AS stamp FROM staff_coverage",
    );
    return rows[0].stamp;
  }

  async setPatientFlags(mrn: string, flags: string[]): Promise<void> {
    const survivor = (await survivingMrn(this.pool, mrn)) ?? mrn;
    await this.writes.track(
      this.pool.query('UPDATE census_patients SET flags = $1, updated_at = $2 WHERE mrn = $3', [
        JSON.stringify(flags),
        Date.now(),
        survivor,
      ]),
    );
  }

  async mergePatients(fromMrn: string, intoMrn: string): Promise<void> {
    if (fromMrn === intoMrn) return;
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        const now = Date.now();
        const stub =
          'INSERT INTO census_patients (mrn, updated_at) VALUES ($1, $2) ON CONFLICT (mrn) DO NOTHING';
        await client.query(stub, [fromMrn, now]);
        await client.query(stub, [intoMrn, now]);
        // Both rows locked in one order, so two merges of the same pair on two instances wait in turn.
        const { rows } = await client.query<PatientRow>(
          'SELECT * FROM census_patients WHERE mrn = ANY($1) ORDER BY mrn FOR UPDATE',
          [[fromMrn, intoMrn]],
        );
        const from = rows.find((r) => r.mrn === fromMrn)!;
        const into = rows.find((r) => r.mrn === intoMrn)!;
        const flags = [...new Set([...parseList(into.flags), ...parseList(from.flags)])];
        await client.query('UPDATE census_patients SET flags = $1, updated_at = $2 WHERE mrn = $3', [
          JSON.stringify(flags),
          now,
          intoMrn,
        ]);
        await client.query('UPDATE census_visits SET mrn = $1 WHERE mrn = $2', [intoMrn, fromMrn]);
        await client.query(
          `DELETE FROM census_care_team AS old WHERE old.mrn = $1 AND old.visit_number = '' AND EXISTS (
             SELECT 1 FROM census_care_team AS kept WHERE kept.mrn = $2 AND kept.visit_number = ''
               AND kept.role = old.role AND kept.provider_id = old.provider_id
               AND kept.family = old.family AND kept.given = old.given)`,
          [fromMrn, intoMrn],
        );
        await client.query('UPDATE census_care_team SET mrn = $1 WHERE mrn = $2', [intoMrn, fromMrn]);
        // The survivor is live even if it had once been merged away (a merge reversed by a second A40).
        await client.query('UPDATE census_patients SET merged_into = NULL WHERE mrn = $1', [intoMrn]);
        await client.query('UPDATE census_patients SET merged_into = $1, updated_at = $2 WHERE mrn = $3', [
          intoMrn,
          now,
          fromMrn,
        ]);
        // Anyone merged into the retired number earlier now points straight at the survivor.
        await client.query('UPDATE census_patients SET merged_into = $1 WHERE merged_into = $2', [
          intoMrn,
          fromMrn,
        ]);
      }),
    );
  }

  async patient(mrn: string): Promise<Patient | undefined> {
    const row = await patientRow(this.pool, mrn);
    if (row === undefined) return undefined;
    if (row.merged_into === null) return toPatient(row);
    const survivor = await survivingMrn(this.pool, mrn);
    if (survivor === undefined) return undefined;
    const live = await patientRow(this.pool, survivor);
    return live ? toPatient(live) : undefined;
  }

  async visit(visitNumber: string): Promise<Visit | undefined> {
    const { rows } = await this.pool.query<VisitRow>('SELECT * FROM census_visits WHERE visit_number = $1', [
      visitNumber,
    ]);
    return rows[0] ? toVisit(rows[0]) : undefined;
  }

  async activeVisit(mrn: string): Promise<Visit | undefined> {
    // The patient and the active visit in one look when the number was never merged (nearly always).
    const { rows } = await this.pool.query<VisitRow & { merged: string | null }>(patientWithActiveVisit, [
      mrn,
    ]);
    if (!rows[0]) return undefined;
    if (rows[0].merged === null) return rows[0].visit_number === null ? undefined : toVisit(rows[0]);
    const survivor = await survivingMrn(this.pool, mrn);
    if (survivor === undefined) return undefined;
    const followed = await this.pool.query<VisitRow>(activeVisitOf, [survivor]);
    return followed.rows[0] ? toVisit(followed.rows[0]) : undefined;
  }

  async careTeam(mrn: string, at?: Date): Promise<CareTeamMember[]> {
    const survivor = await survivingMrn(this.pool, mrn);
    if (survivor === undefined) return [];
    const active = (await this.pool.query<VisitRow>(activeVisitOf, [survivor])).rows[0];
    const rows = (await this.pool.query<CareTeamRow>(scopeOf, [survivor, ''])).rows;
    if (active)
      rows.push(...(await this.pool.query<CareTeamRow>(scopeOf, [survivor, active.visit_number])).rows);
    const members = rows.map(toMember);
    if (at === undefined) return members;
    const t = at.getTime();
    return members.filter(
      (m) =>
        (m.start === undefined || m.start.getTime() <= t) && (m.end === undefined || t < m.end.getTime()),
    );
  }

  async readForAdt(mrn: string, visitNumber: string | undefined): Promise<AdtReads | undefined> {
    const { rows } = await this.pool.query<{ kind: string; row: Record<string, unknown> }>({
      name: 'census-adt-reads',
      text: adtReads,
      values: [mrn, visitNumber ?? null],
    });
    const one = (kind: string) => rows.find((r) => r.kind === kind)?.row;
    const patient = one('patient') as PatientRow | undefined;
    if (patient?.merged_into != null) return undefined;
    const active = one('active') as VisitRow | undefined;
    const visit = one('visit') as VisitRow | undefined;
    const number = String((one('number') as { visit_number: string }).visit_number);
    const team = rows
      .filter((r) => r.kind === 'team')
      .map((r) => r.row as unknown as CareTeamRow & { id: number; position: number })
      .sort((a, b) => a.position - b.position || a.id - b.id);
    return {
      patient: patient && toPatient(patient),
      // The active visit is read with the patient: none without a patient row, as activeVisit answers.
      activeVisit: patient && active ? toVisit(active) : undefined,
      visitNumber: number,
      visit: visit && toVisit(visit),
      patientTeam: team.filter((t) => t.visit_number === '').map(toMember),
      visitTeam: team.filter((t) => t.visit_number === number).map(toMember),
    };
  }

  async careTeamScope(mrn: string, visitNumber: string | undefined): Promise<CareTeamMember[]> {
    return (await this.pool.query<CareTeamRow>(scopeOf, [mrn, visitNumber ?? ''])).rows.map(toMember);
  }

  async patientsAt(where: Partial<PatientLocation>): Promise<PatientAtLocation[]> {
    // ASCII-only case folding, as SQLite's NOCASE does, so both stores list the same patients.
    const { rows } = where.unit
      ? await this.pool.query<VisitRow>(
          `SELECT * FROM census_visits WHERE upper(unit) = upper($1) AND status = 'active'
           ORDER BY room, bed, visit_number`,
          [where.unit],
        )
      : await this.pool.query<VisitRow>(
          `SELECT * FROM census_visits WHERE status = 'active' ORDER BY unit, room, bed, visit_number`,
        );
    const out: PatientAtLocation[] = [];
    for (const row of rows) {
      const visit = toVisit(row);
      if (!sameParts(visit.location, where)) continue;
      const patient = await patientRow(this.pool, row.mrn);
      if (patient) out.push({ patient: toPatient(patient), visit });
    }
    return out;
  }

  async findInHouse(text: string, limit: number): Promise<PatientAtLocation[]> {
    const like = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const { rows } = await this.pool.query<VisitRow>(
      `SELECT v.* FROM census_patients p JOIN census_visits v ON v.mrn = p.mrn AND v.status = 'active'
       WHERE p.merged_into IS NULL
         AND (lower(p.mrn) LIKE $1 OR lower(p.family || ', ' || p.given) LIKE $2)
       ORDER BY p.family, p.given, p.mrn LIMIT $3`,
      [`${like}%`, `%${like}%`, limit],
    );
    const out: PatientAtLocation[] = [];
    for (const row of rows) {
      const patient = await patientRow(this.pool, row.mrn);
      if (patient) out.push({ patient: toPatient(patient), visit: toVisit(row) });
    }
    return out;
  }
}

async function patientRow(db: Queryable, mrn: string): Promise<PatientRow | undefined> {
  const { rows } = await db.query<PatientRow>('SELECT * FROM census_patients WHERE mrn = $1', [mrn]);
  return rows[0];
}

/** The number a patient is known by now, after any merges; undefined when nobody has this number. */
async function survivingMrn(db: Queryable, mrn: string): Promise<string | undefined> {
  let current = mrn;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const { rows } = await db.query<{ merged_into: string | null }>(
      'SELECT merged_into FROM census_patients WHERE mrn = $1',
      [current],
    );
    if (!rows[0]) return undefined;
    if (rows[0].merged_into === null) return current;
    current = rows[0].merged_into;
  }
  return undefined;
}
