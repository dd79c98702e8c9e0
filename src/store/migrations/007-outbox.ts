import type { Migration } from './migration.ts';

/**
 * The outbox (store/outbox-port.ts) in the main database, so that a notice commits with the change that
 * causes it; and the pickup boxes where WCTP notices wait for a poll or a ClientQuery.
 */
const tables = (id: string, big: string) => `
  CREATE TABLE deliveries (
    id ${id},
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    alert_id ${big},
    once_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    result TEXT,
    due_at ${big} NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL
  );
  CREATE INDEX deliveries_due ON deliveries (state, due_at);
  CREATE INDEX deliveries_alert ON deliveries (alert_id);
  CREATE TABLE pickups (
    sequence_no ${id},
    box TEXT NOT NULL,
    delivery_id ${big} UNIQUE,
    payload TEXT NOT NULL,
    created_at ${big} NOT NULL
  );
  CREATE INDEX pickups_box ON pickups (box, sequence_no);
`;

export const outbox: Migration = {
  version: 7,
  name: 'outbox and pickup boxes',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
