/**
 * What a stored message is found by, read from its raw bytes at save time: the patient's MRN. The store
 * keeps no parser (it sits below the protocols), so this reads only the MSH delimiters and PID-3 by hand,
 * and never throws: a message it cannot read simply has no MRN to search by.
 */

/** The MRN of PID-3: the repetition whose identifier type (component 5) is MR, else the first one. */
export function patientMrnOf(raw: Buffer): string | null {
  if (raw.length < 8 || raw.toString('latin1', 0, 3) !== 'MSH') return null;
  const text = raw.toString('latin1', 0, Math.min(raw.length, 65_536));
  const field = text[3];
  const component = text[4];
  const repetition = text[5];
  const from = segmentStart(text, `PID${field}`);
  if (from < 0) return null;
  const end = lineEnd(text, from);
  const pid3 = text.slice(from, end).split(field)[3];
  if (!pid3) return null;
  const ids = pid3.split(repetition).map((r) => r.split(component));
  const chosen = ids.find((c) => c[4] === 'MR') ?? ids[0];
  const id = chosen?.[0]?.trim();
  return id ? id.slice(0, 64) : null;
}

/**
 * A person's search words as an FTS5 phrase: the words in their order, as the tokenizer (unicode61) splits
 * the raw message, so `2.7` finds "2.7" and `AND`, `-`, `*` or quotes are plain text, never query syntax.
 */
/**
 * The text of a raw message whose words are indexed, alike on both stores: its bytes read as UTF-8 (a
 * byte that is not valid UTF-8 becomes U+FFFD, so no message is refused for its text; a name written
 * "José" is found as "José"), NUL bytes as spaces (PostgreSQL's text cannot hold them).
 */
export function wordsText(raw: Buffer): string {
  const text = raw.toString('utf8');
  return text.includes('\0') ? text.replaceAll('\0', ' ') : text;
}

export function fts5Words(text: string): string | null {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.length ? `"${words.join(' ')}"` : null;
}

/**
 * Where the first segment that starts with `prefix` begins (at the start, or after CR or LF), or -1.
 * Found with indexOf rather than a RegExp built for each message's delimiters: this runs for every
 * message stored.
 */
function segmentStart(text: string, prefix: string): number {
  for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
    const before = at === 0 ? 13 : text.charCodeAt(at - 1);
    if (before === 13 || before === 10) return at;
  }
  return -1;
}

/** The end of the line that starts at `from` (its CR or LF, or the end of the text). */
function lineEnd(text: string, from: number): number {
  for (let at = from; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c === 13 || c === 10) return at;
  }
  return text.length;
}
