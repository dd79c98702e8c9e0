import type { Migration } from './migration.ts';

/**
 * The staff assignments each staff import last brought (staff-csv, staff-rest), as the coverage entries
 * read from it: the instance on the import's duty writes them, and every instance builds its coverage
 * from them, so a cluster covers beds alike and a restart starts with the last good roster. `revision`
 * counts the writes of a source, so a change shows in the sum over all sources.
 */
const table = (big: string) => `CREATE TABLE staff_coverage (
  source TEXT PRIMARY KEY,
  entries TEXT NOT NULL,
  revision ${big} NOT NULL,
  updated_at ${big} NOT NULL
);`;

export const staffCoverage: Migration = {
  version: 21,
  name: 'staff coverage from staff imports, shared by the instances',
  sqlite: table('INTEGER'),
  postgres: table('BIGINT'),
};
