import type { Migration } from './migration.ts';

const tables = (id: string, big: string) => `
  CREATE TABLE sip_bindings (
    aor TEXT NOT NULL,
    contact TEXT NOT NULL,
    expires_at ${big} NOT NULL,
    q REAL NOT NULL,
    call_id TEXT NOT NULL,
    cseq INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (aor, contact)
  );
  CREATE TABLE sip_calls (
    id ${id},
    call_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    caller TEXT NOT NULL,
    dialled TEXT NOT NULL,
    route TEXT,
    answered_by TEXT,
    answered_at TEXT,
    attempts TEXT NOT NULL,
    outcome TEXT NOT NULL,
    final_status INTEGER NOT NULL,
    started_at ${big} NOT NULL,
    connected_at ${big},
    ended_at ${big} NOT NULL,
    ended_by TEXT,
    alert_id ${big}
  );
  CREATE INDEX sip_calls_started ON sip_calls (started_at);
  CREATE INDEX sip_calls_answered_by ON sip_calls (answered_by, started_at);
`;

export const sip: Migration = {
  version: 5,
  name: 'SIP registrations and call detail records',
  sqlite: tables('INTEGER PRIMARY KEY', 'INTEGER'),
  postgres: tables('BIGSERIAL PRIMARY KEY', 'BIGINT'),
};
