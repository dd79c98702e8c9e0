import type { Migration } from './migration.ts';

/**
 * PostgreSQL: the words of each message move out of `messages` into a table of their own, keyed by the
 * message id, as SQLite's FTS5 `message_words` already is (one name for one thing in both dialects; SQLite
 * has nothing to change). Written once with the message and never updated, so a status change no longer
 * computes to_tsvector again nor touches the GIN index: a stored generated column is recomputed at every
 * UPDATE of its row, and routing updates every message's status.
 *
 * Rolling upgrade: an instance of the previous version keeps running while this one migrates. It reads
 * `messages.words` and names neither new column, so:
 * - `words` stays, a plain column now (DROP EXPRESSION keeps its values and rewrites nothing): messages
 *   stored before this step keep their words there, and the previous version's word search still finds
 *   them, without its GIN index (dropped: each index entry costs every insert), so scanning. What the
 *   previous version stores from now on has no words there: its own search misses those until it stops.
 * - `words_due` is true for every message stored before this step (a constant default: no rewrite) and for
 *   what the previous version stores; this version writes false with the words in `message_words`. The
 *   instance on the `message-words` duty fills the words of the messages still due, a batch at a time
 *   (PostgresMessageStore.fillDueWords); the partial index holds only those, so it costs nothing to the
 *   ingest of this version. Until then a word search also looks in `messages.words` of the due ones.
 * A later step drops `words`, `words_due` and the partial index once no previous version can be running.
 *
 * The statistics of the words keep 10x the usual sample: a word the sample never saw is then estimated
 * rare, and a search for it goes to the GIN index first (2.7 ms at 200,000 messages) instead of walking
 * every message for it (207 ms), as the planner did with the default.
 */
export const messageWords: Migration = {
  version: 22,
  name: 'message words in a table of their own, written once',
  sqlite: '',
  postgres: `
    CREATE TABLE message_words (message_id BIGINT PRIMARY KEY, words tsvector NOT NULL);
    CREATE INDEX message_words_words ON message_words USING gin (words);
    ALTER TABLE message_words ALTER COLUMN words SET STATISTICS 1000;
    ALTER TABLE messages ADD COLUMN words_due BOOLEAN NOT NULL DEFAULT true;
    CREATE INDEX messages_words_due ON messages (id) WHERE words_due;
    DROP INDEX messages_words;
    ALTER TABLE messages ALTER COLUMN words DROP EXPRESSION;
  `,
};
