import type { Migration } from './migration.ts';

/**
 * The addresses each subject (an account, a WCTP sender, a push client) signed in from, shared by the
 * instances (store/sign-in-failure-port.ts): a lock caused by guessing elsewhere does not hold them on any
 * instance, nor after a restart. The previous version never reads it.
 */
export const signInKnownAddresses: Migration = {
  version: 28,
  name: 'addresses each subject signed in from',
  sqlite: `CREATE TABLE sign_in_known_addresses (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    address TEXT NOT NULL,
    signed_in_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key, address)
  );`,
  postgres: `CREATE TABLE sign_in_known_addresses (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    address TEXT NOT NULL,
    signed_in_at BIGINT NOT NULL,
    PRIMARY KEY (kind, key, address)
  );`,
};
