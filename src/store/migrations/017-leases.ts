import type { Migration } from './migration.ts';

/** One text for both dialects: only the 64-bit integer type differs. */
const table = (big: string) => `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    term ${big} NOT NULL,
    expires_at ${big} NOT NULL
  );
`;

/**
 * Leases for the jobs a cluster runs once (store/lease-port.ts): which instance holds each, in which
 * term, until when (epoch milliseconds on the store's clock).
 */
export const leases: Migration = {
  version: 17,
  name: 'leases for jobs run once per cluster',
  sqlite: table('INTEGER'),
  postgres: table('BIGINT'),
};
