import type { Migration } from './migration.ts';

/**
 * Known senders of each listener (store/known-sender-port.ts). The previous version keeps them in memory
 * and never reads the table.
 */
export const knownSenders: Migration = {
  version: 27,
  name: 'addresses each listener has stored a message from',
  sqlite: `CREATE TABLE known_senders (
    listener TEXT NOT NULL,
    address TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (listener, address)
  );
  CREATE INDEX known_senders_recent ON known_senders (listener, last_seen);`,
  postgres: `CREATE TABLE known_senders (
    listener TEXT NOT NULL,
    address TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (listener, address)
  );
  CREATE INDEX known_senders_recent ON known_senders (listener, last_seen);`,
};
