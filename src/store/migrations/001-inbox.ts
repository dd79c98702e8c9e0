import type { Migration } from './migration.ts';

/** One text for both dialects: only the id, 64-bit integer and byte types differ. */
const tables = (id: string, big: string, blob: string) => `
      CREATE TABLE messages (
        id ${id},
        listener TEXT NOT NULL,
        peer TEXT NOT NULL,
        sending_application TEXT NOT NULL,
        sending_facility TEXT NOT NULL,
        receiving_application TEXT NOT NULL,
        receiving_facility TEXT NOT NULL,
        message_type TEXT NOT NULL,
        trigger_event TEXT NOT NULL,
        control_id TEXT NOT NULL,
        received_at ${big} NOT NULL,
        status TEXT NOT NULL,
        status_detail TEXT,
        updated_at ${big} NOT NULL,
        size INTEGER NOT NULL,
        raw ${blob} NOT NULL
      );
      CREATE UNIQUE INDEX messages_sender_control ON messages (listener, sending_application, sending_facility, control_id);
      CREATE INDEX messages_received ON messages (received_at);
      CREATE INDEX messages_pending ON messages (status, id);
      CREATE TABLE audit (
        id ${id},
        at ${big} NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_subject ON audit (subject, at);
    `;

export const inbox: Migration = {
  version: 1,
  name: 'inbound messages and audit',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER', 'BLOB'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT', 'BYTEA'),
};
