import type { Migration } from './migration.ts';

/**
 * Sign-ins under way (store/session-port.ts, SignInFlows): the state or request id an identity provider
 * sends back, and what the callback needs to finish. In the store so that any instance can take the
 * callback. The previous version keeps its flows in memory and never reads this table, so during a
 * rolling upgrade only a sign-in started on an old instance and finished on a new one fails (start again).
 */
const table = (big: string) => `
  CREATE TABLE sign_in_flows (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at ${big} NOT NULL,
    PRIMARY KEY (kind, key)
  );
  CREATE INDEX sign_in_flows_expiry ON sign_in_flows (kind, expires_at);`;

export const signInFlows: Migration = {
  version: 24,
  name: 'sign-ins under way, shared by the instances',
  sqlite: table('INTEGER'),
  postgres: table('BIGINT'),
};
