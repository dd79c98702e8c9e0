import type { Migration } from './migration.ts';

/** One text for both dialects: only the 64-bit integer type differs. */
const tables = (big: string) => `
  CREATE TABLE export_files (
    connector_id TEXT NOT NULL,
    delivered_at ${big} NOT NULL,
    name TEXT NOT NULL,
    period TEXT NOT NULL,
    mode TEXT NOT NULL,
    row_count ${big} NOT NULL,
    byte_count ${big} NOT NULL
  );
  CREATE INDEX export_files_newest ON export_files (connector_id, delivered_at);
  CREATE TABLE export_held_rows (
    connector_id TEXT NOT NULL,
    row_key TEXT NOT NULL,
    hash TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (connector_id, row_key)
  );
  CREATE TABLE export_staged_rows (
    connector_id TEXT NOT NULL,
    row_key TEXT NOT NULL,
    hash TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (connector_id, row_key)
  );
`;

/**
 * File exports (store/export-port.ts): the files delivered, and per connector the rows its receiver holds
 * (the base of the next delta file) beside the rows of the file being written, which replace them once
 * that file is delivered.
 */
export const fileExports: Migration = {
  version: 12,
  name: 'file export state',
  sqlite: tables('INTEGER'),
  postgres: tables('BIGINT'),
};
