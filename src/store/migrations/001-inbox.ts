import type { Migration } from './migration.ts';

export const inbox: Migration = {
  version: 1,
  name: 'inbound messages and audit',
  sqlite: `
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        listener TEXT NOT NULL,
        peer TEXT NOT NULL,
        sending_application TEXT NOT NULL,
        sending_facility TEXT NOT NULL,
        receiving_application TEXT NOT NULL,
        receiving_facility TEXT NOT NULL,
        message_type TEXT NOT NULL,
        trigger_event TEXT NOT NULL,
        control_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        status_detail TEXT,
        updated_at INTEGER NOT NULL,
        size INTEGER NOT NULL,
        raw BLOB NOT NULL
      );
      CREATE UNIQUE INDEX messages_sender_control ON messages (listener, sending_application, sending_facility, control_id);
      CREATE INDEX messages_received ON messages (received_at);
      CREATE INDEX messages_pending ON messages (status, id);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_subject ON audit (subject, at);
    `,
  postgres: `
      CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY,
        listener TEXT NOT NULL,
        peer TEXT NOT NULL,
        sending_application TEXT NOT NULL,
        sending_facility TEXT NOT NULL,
        receiving_application TEXT NOT NULL,
        receiving_facility TEXT NOT NULL,
        message_type TEXT NOT NULL,
        trigger_event TEXT NOT NULL,
        control_id TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        status TEXT NOT NULL,
        status_detail TEXT,
        updated_at BIGINT NOT NULL,
        size INTEGER NOT NULL,
        raw BYTEA NOT NULL
      );
      CREATE UNIQUE INDEX messages_sender_control ON messages (listener, sending_application, sending_facility, control_id);
      CREATE INDEX messages_received ON messages (received_at);
      CREATE INDEX messages_pending ON messages (status, id);
      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_subject ON audit (subject, at);
    `,
};
