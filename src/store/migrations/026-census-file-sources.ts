import type { Migration } from './migration.ts';

/**
 * What each census file import holds (store/census-port.ts fileCensus): the patients it put in the census
 * and how many files in a row each was missing from. The previous version kept this in memory and never
 * reads the table; an instance of it starts each import with nothing held, as it always did after a restart.
 */
export const censusFileSources: Migration = {
  version: 26,
  name: 'patients each census file import holds, with their misses',
  sqlite: `CREATE TABLE census_file_sources (
    source TEXT PRIMARY KEY,
    patients TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );`,
  postgres: `CREATE TABLE census_file_sources (
    source TEXT PRIMARY KEY,
    patients TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );`,
};
