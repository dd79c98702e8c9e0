import type { Migration } from './migration.ts';

/**
 * Which instance stored (or took over) each message, so that on a cluster a survivor takes over what an
 * instance that died had stored and not routed, and leaves alone what a live one is still routing
 * (MessageStore.adoptUnrouted). A nullable column without a default: added without rewriting the table.
 */
const column = (big: string) => `ALTER TABLE messages ADD COLUMN owner ${big};`;

export const messageOwners: Migration = {
  version: 19,
  name: 'messages: the instance that routes each',
  sqlite: column('INTEGER'),
  postgres: column('BIGINT'),
};
