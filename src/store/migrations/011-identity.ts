import type { Migration } from './migration.ts';

/** One text for both dialects: only the 64-bit integer and the boolean types differ. Times: epoch ms UTC. */
const tables = (big: string, bool: string) => `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    person_id TEXT,
    roles TEXT NOT NULL,
    method TEXT NOT NULL,
    device TEXT,
    address TEXT,
    created_at ${big} NOT NULL,
    last_seen_at ${big} NOT NULL,
    idle_expires_at ${big} NOT NULL,
    absolute_expires_at ${big} NOT NULL,
    ended_at ${big},
    end_reason TEXT
  );
  CREATE INDEX sessions_person ON sessions (person_id, created_at);
  CREATE INDEX sessions_username ON sessions (username, created_at);
  CREATE INDEX sessions_device ON sessions (device);
  CREATE INDEX sessions_live ON sessions (ended_at, idle_expires_at);
  CREATE TABLE used_once (
    key TEXT PRIMARY KEY,
    expires_at ${big} NOT NULL
  );
  CREATE TABLE device_logins (
    device TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    source TEXT NOT NULL,
    since ${big} NOT NULL
  );
  CREATE TABLE directory_people (
    id TEXT PRIMARY KEY,
    name TEXT,
    title TEXT,
    department TEXT,
    ids TEXT NOT NULL,
    attributes TEXT NOT NULL,
    active ${bool} NOT NULL,
    key_source TEXT,
    external_key TEXT,
    provenance TEXT NOT NULL,
    version ${big} NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL
  );
  CREATE UNIQUE INDEX directory_people_key ON directory_people (key_source, external_key);
  CREATE TABLE directory_contacts (
    seq ${big} NOT NULL,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    label TEXT,
    carrier TEXT,
    source TEXT NOT NULL,
    at ${big} NOT NULL
  );
  CREATE INDEX directory_contacts_person ON directory_contacts (person_id, source);
  CREATE TABLE directory_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_source TEXT,
    external_key TEXT,
    roles TEXT NOT NULL,
    members TEXT NOT NULL,
    attributes TEXT NOT NULL,
    source TEXT NOT NULL,
    at ${big} NOT NULL,
    version ${big} NOT NULL,
    created_at ${big} NOT NULL,
    updated_at ${big} NOT NULL
  );
  CREATE UNIQUE INDEX directory_groups_key ON directory_groups (key_source, external_key);
  CREATE TABLE directory_revision (
    id INTEGER PRIMARY KEY,
    revision ${big} NOT NULL
  );
  INSERT INTO directory_revision (id, revision) VALUES (1, 0);
`;

/**
 * Identity (issue 19): server-side sessions (the token kept only as its SHA-256), keys used once (SAML
 * assertion ids, so a replay is refused across restarts and instances), who holds each shared device,
 * and the directory overlay that provisioning (SCIM, LDAP) and imports write on top of
 * config/directory.yaml (store/directory-port.ts). JSON columns hold small maps (ids, provenance).
 */
export const identity: Migration = {
  version: 11,
  name: 'sessions and identity',
  sqlite: tables('INTEGER', 'INTEGER'),
  postgres: tables('BIGINT', 'BOOLEAN'),
};
