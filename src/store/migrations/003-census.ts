import type { Migration } from './migration.ts';

/** One text for both dialects: only the id, 64-bit integer and byte types differ. */
const tables = (id: string, big: string) => `
      CREATE TABLE census_patients (
        mrn TEXT PRIMARY KEY,
        identifiers TEXT NOT NULL DEFAULT '[]',
        family TEXT NOT NULL DEFAULT '',
        given TEXT NOT NULL DEFAULT '',
        middle TEXT NOT NULL DEFAULT '',
        birth_date TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT '',
        flags TEXT NOT NULL DEFAULT '[]',
        merged_into TEXT,
        updated_at ${big} NOT NULL
      );
      CREATE INDEX census_patients_merged ON census_patients (merged_into);
      CREATE TABLE census_visits (
        visit_number TEXT PRIMARY KEY,
        mrn TEXT NOT NULL,
        patient_class TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        facility TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL DEFAULT '',
        room TEXT NOT NULL DEFAULT '',
        bed TEXT NOT NULL DEFAULT '',
        prior_location TEXT,
        admitted_at ${big},
        discharged_at ${big},
        updated_at ${big} NOT NULL
      );
      CREATE INDEX census_visits_patient ON census_visits (mrn, status);
      CREATE INDEX census_visits_unit ON census_visits (unit, status);
      CREATE TABLE census_care_team (
        id ${id},
        mrn TEXT NOT NULL,
        visit_number TEXT NOT NULL DEFAULT '',
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        role_text TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        provider_id TEXT NOT NULL DEFAULT '',
        family TEXT NOT NULL DEFAULT '',
        given TEXT NOT NULL DEFAULT '',
        assigning_authority TEXT NOT NULL DEFAULT '',
        id_type TEXT NOT NULL DEFAULT '',
        starts_at ${big},
        ends_at ${big}
      );
      CREATE INDEX census_care_team_scope ON census_care_team (mrn, visit_number, position);
      CREATE INDEX census_care_team_provider ON census_care_team (provider_id);
    `;

/**
 * Census: patients, visits and care teams kept from HL7 ADT. Parts of a location or a name that a
 * sender leaves out are '' rather than NULL, so that comparisons and unique keys need no NULL cases.
 * A care-team entry's visit_number is '' for patient-level entries (PD1-4, a ROL before PV1).
 */
export const census: Migration = {
  version: 3,
  name: 'census: patients, visits, care teams',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
