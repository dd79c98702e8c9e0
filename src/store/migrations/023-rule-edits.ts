import type { Migration } from './migration.ts';

/**
 * Rule files saved from the analyst console (store/rule-edit-port.ts): every instance of a cluster reads
 * them to put the same text in its own rules folder, and they are the record of who changed which file.
 * Nothing reads them in the previous version, so an instance of it keeps working during a rolling upgrade
 * (its console saves reach only its own folder, as before).
 */
export const ruleEdits: Migration = {
  version: 23,
  name: 'rule files saved from the console, shared by the instances',
  sqlite: `CREATE TABLE rule_edits (
    revision INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    base_version TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at INTEGER NOT NULL
  );`,
  postgres: `CREATE TABLE rule_edits (
    revision BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    base_version TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at BIGINT NOT NULL
  );`,
};
