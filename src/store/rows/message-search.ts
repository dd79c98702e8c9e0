/**
 * How many messages a search matched, when its page already says so: a first page shorter than asked for
 * holds every match, and a later page that is short and not empty ends at the last match. A lookup by MRN
 * or control id (a handful of rows) then costs one query instead of a page and a count.
 * @returns undefined when only a count can tell
 */
export function totalFromPage(offset: number, limit: number, rows: number): number | undefined {
  if (rows >= limit) return undefined;
  if (offset === 0) return rows;
  return rows > 0 ? offset + rows : undefined;
}
