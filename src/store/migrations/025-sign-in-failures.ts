import type { Migration } from './migration.ts';

/**
 * Failed sign-ins shared by the instances (store/sign-in-failure-port.ts). The previous version never reads
 * it: during a rolling upgrade its instances count their own failures, as before.
 */
export const signInFailures: Migration = {
  version: 25,
  name: 'failed sign-ins and their locks, shared by the instances',
  sqlite: `CREATE TABLE sign_in_failures (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    lockouts INTEGER NOT NULL,
    locked_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
  );
  CREATE INDEX sign_in_failures_locked ON sign_in_failures (locked_until);`,
  postgres: `CREATE TABLE sign_in_failures (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at BIGINT NOT NULL,
    lockouts INTEGER NOT NULL,
    locked_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
  );
  CREATE INDEX sign_in_failures_locked ON sign_in_failures (locked_until);`,
};
