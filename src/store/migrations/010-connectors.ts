import type { Migration } from './migration.ts';

/**
 * Connectors (store/connector-port.ts): each one's cursor in the schedule change feed, its own state, its
 * delivery log and the tokens of its published feeds; and the outbox's coalesce key, so that a newer job
 * for one target object replaces the pending older one in the transaction that writes it.
 */
const tables = (id: string, big: string) => `
  ALTER TABLE deliveries ADD COLUMN coalesce_key TEXT;
  CREATE INDEX deliveries_coalesce ON deliveries (coalesce_key, state);
  CREATE TABLE connector_cursors (
    connector_id TEXT PRIMARY KEY,
    seq ${big} NOT NULL,
    updated_at ${big} NOT NULL
  );
  CREATE TABLE connector_state (
    connector_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (connector_id, key)
  );
  CREATE TABLE connector_log (
    id ${id},
    connector_id TEXT NOT NULL,
    delivery_id ${big},
    at ${big} NOT NULL,
    outcome TEXT NOT NULL,
    target TEXT NOT NULL,
    summary TEXT NOT NULL,
    answer TEXT
  );
  CREATE INDEX connector_log_by_connector ON connector_log (connector_id, id);
  CREATE TABLE connector_feed_tokens (
    token_hash TEXT PRIMARY KEY,
    connector_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    created_at ${big} NOT NULL,
    revoked_at ${big}
  );
  CREATE INDEX connector_feed_tokens_subject ON connector_feed_tokens (connector_id, subject_kind, subject_id);
`;

export const connectors: Migration = {
  version: 10,
  name: 'connectors: cursors, state, delivery log, feed tokens; outbox coalesce key',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
