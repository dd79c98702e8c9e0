import type { Migration } from './migration.ts';

/**
 * What the analyst console searches stored messages by, indexed so a search over a million messages
 * answers at once: the patient's MRN (PID-3, taken at save time, see message-search.ts), the control id
 * and the sender with the message type on their own, and the words of the raw message. SQLite keeps the
 * words in a contentless FTS5 table keyed by the message id (the raw bytes stay the record of truth);
 * PostgreSQL in a tsvector column derived from the bytes (`escape` encoding never fails on bytes that
 * are not UTF-8, unlike convert_from, so no message can be refused for its text; the first 100,000
 * characters only, as a tsvector holds at most 1 MB). Messages stored before this step have no MRN: the
 * word search still finds them.
 */
const indexes = `
  ALTER TABLE messages ADD COLUMN patient_mrn TEXT;
  CREATE INDEX messages_mrn ON messages (patient_mrn, received_at);
  CREATE INDEX messages_control ON messages (control_id);
  CREATE INDEX messages_app_type ON messages (sending_application, message_type, received_at);
  CREATE INDEX messages_facility_type ON messages (sending_facility, message_type, received_at);
`;

export const messageSearch: Migration = {
  version: 15,
  name: 'message search: MRN, control id, sender and type, words of the raw message',
  sqlite: `${indexes}
    CREATE VIRTUAL TABLE message_words USING fts5(body, content='');
    INSERT INTO message_words (rowid, body) SELECT id, CAST(raw AS TEXT) FROM messages;
  `,
  postgres: `${indexes}
    ALTER TABLE messages ADD COLUMN words tsvector GENERATED ALWAYS AS
      (to_tsvector('simple', left(replace(encode(raw, 'escape'), '\\015', ' '), 100000))) STORED;
    CREATE INDEX messages_words ON messages USING gin (words);
  `,
};
