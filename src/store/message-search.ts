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
  const start = text.search(new RegExp(`(^|[\\r\\n])PID${escapeRegExp(field)}`));
  if (start < 0) return null;
  const from = start + (text[start] === 'P' ? 0 : 1);
  const end = text.slice(from).search(/[\r\n]/);
  const pid3 = text.slice(from, end < 0 ? undefined : from + end).split(field)[3];
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
export function fts5Words(text: string): string | null {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.length ? `"${words.join(' ')}"` : null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
