import type { PgPool } from './database.ts';

/**
 * The search words of a message, in `message_words` (migration 022), from the text the store hands in
 * (message-search.ts wordsText: the bytes read as UTF-8, as SQLite indexes them); the first 100,000
 * characters only, as a tsvector holds at most 1 MB.
 */
export const wordsOfText = (text: string) => `to_tsvector('simple', left(${text}, 100000))`;

/**
 * The words of a message stored without them (before migration 022, or by the previous version), made in
 * the database from its raw bytes: `escape` encoding never fails on bytes that are not UTF-8, unlike
 * convert_from, so no message is left out; a letter outside ASCII is not found in these.
 */
export const wordsOf = (raw: string) =>
  `to_tsvector('simple', left(replace(encode(${raw}, 'escape'), '\\015', ' '), 100000))`;

/**
 * The word-search condition on `messages` (one `?` for the words, one more when `withDue`). The same words
 * in the same order as the SQLite adapter's FTS5 phrase; punctuation only matches nothing. Written as
 * EXISTS, so the planner weighs a common word (walk the newest messages, one key look each: 0.7 ms for a
 * page at 200,000 messages) against a rare one (the GIN index first: 4.5 ms); an `IN` over a UNION hid the
 * number of matches from it and read all 40,000 of a common word (180 ms).
 */
export function wordsMatch(withDue: boolean): string {
  const table = `EXISTS (SELECT 1 FROM message_words w
    WHERE w.message_id = messages.id AND w.words @@ phraseto_tsquery('simple', ?))`;
  // Messages still due their words (stored before migration 022, or by an instance of the previous
  // version) are looked for in their old column until the `message-words` duty has filled them.
  return withDue ? `(${table} OR (words_due AND words @@ phraseto_tsquery('simple', ?)))` : table;
}

/** Whether any message is still due its words: only during an upgrade's backlog (one partial-index look). */
export async function wordsDue(pool: PgPool): Promise<boolean> {
  const { rows } = await pool.query<{ due: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM messages WHERE words_due) AS due',
  );
  return rows[0].due;
}

/*
 * One batch of the messages still due their words: their words are written and they are marked done in one
 * statement. The old column's words are taken when they are there (computed by the same expression), so
 * the backlog of an upgrade is copied, not parsed again. Rows a status update holds are left for the next.
 */
const fillDue = `
  WITH due AS (
    SELECT id, coalesce(words, ${wordsOf('raw')}) AS words FROM messages
    WHERE words_due ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
  ), filled AS (
    INSERT INTO message_words (message_id, words) SELECT id, words FROM due ON CONFLICT (message_id) DO NOTHING
  )
  UPDATE messages m SET words_due = false FROM due WHERE m.id = due.id`;

/**
 * Fills the words of the messages still due them, `batch` at a time until none is left or `signal` is
 * aborted; resolves with how many it filled.
 */
export async function fillDueWords(pool: PgPool, batch: number, signal?: AbortSignal): Promise<number> {
  let filled = 0;
  while (!signal?.aborted) {
    const { rowCount } = await pool.query(fillDue, [batch]);
    filled += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) break;
  }
  return filled;
}
