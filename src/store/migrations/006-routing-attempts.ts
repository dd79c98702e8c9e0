import type { Migration } from './migration.ts';

/**
 * How many times routing of a message was started after a restart without finishing: a message that
 * stops the process while it is routed (an endless loop, a crash in a step) is quarantined instead of
 * being routed again at every start. See Router.recover.
 */
const column = 'ALTER TABLE messages ADD COLUMN routing_attempts INTEGER NOT NULL DEFAULT 0;';

export const routingAttempts: Migration = {
  version: 6,
  name: 'routing attempts per message',
  sqlite: column,
  postgres: column,
};
