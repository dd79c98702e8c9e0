/**
 * Dates and times written the way a receiving system's import expects them ('MM/dd/yyyy HH:mm' for one,
 * 'yyyy-MM-dd'T'HH:mm:ss' for another), in a chosen IANA zone. A pattern is compiled once per file and
 * reads the zone's offset through the kit's cached zone clock: a luxon DateTime per value cost more than
 * the rest of a 100,000-shift file together.
 *
 * Tokens: yyyy yy MM M dd d HH H hh h mm ss a (AM/PM) ZZ (+05:00) ZZZ (+0500); text in single quotes is
 * written as is ('' is a quote); any other character is written as is.
 */
import { offsetMinutes } from '../../kit/zone-clock.ts';

type Part = (local: Date, offset: number) => string;

/** Instants a writer remembers the text of; past this it forgets them all and starts again. */
const REMEMBERED = 4096;

const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const hour12 = (d: Date) => d.getUTCHours() % 12 || 12;
const signed = (offset: number, colon: boolean) => {
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}${colon ? ':' : ''}${two(abs % 60)}`;
};

const tokens: ReadonlyArray<[string, Part]> = [
  ['yyyy', (d) => String(d.getUTCFullYear()).padStart(4, '0')],
  ['yy', (d) => two(d.getUTCFullYear() % 100)],
  ['MM', (d) => two(d.getUTCMonth() + 1)],
  ['M', (d) => String(d.getUTCMonth() + 1)],
  ['dd', (d) => two(d.getUTCDate())],
  ['d', (d) => String(d.getUTCDate())],
  ['HH', (d) => two(d.getUTCHours())],
  ['H', (d) => String(d.getUTCHours())],
  ['hh', (d) => two(hour12(d))],
  ['h', (d) => String(hour12(d))],
  ['mm', (d) => two(d.getUTCMinutes())],
  ['ss', (d) => two(d.getUTCSeconds())],
  ['a', (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM')],
  ['ZZZ', (_d, o) => signed(o, false)],
  ['ZZ', (_d, o) => signed(o, true)],
];

/** Turns an instant into text; throws at compile time on an unknown zone or an unclosed quote. */
export type DateWriter = (instant: Date) => string;

export function compileDatePattern(pattern: string, zone: string): DateWriter {
  offsetMinutes(zone, 0); // throws now, at configuration, for a name that is not an IANA zone
  const parts: Part[] = [];
  let literal = '';
  const flush = () => {
    if (literal === '') return;
    const text = literal;
    parts.push(() => text);
    literal = '';
  };
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] === "'") {
      if (pattern[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) throw new Error(`date pattern ${pattern}: a quote is never closed`);
      literal += pattern.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    const token = tokens.find(([t]) => pattern.startsWith(t, i));
    if (!token) {
      literal += pattern[i];
      i++;
      continue;
    }
    flush();
    parts.push(token[1]);
    i += token[0].length;
  }
  flush();
  // A schedule file writes the same few instants over and over (every shift of a day starts at 07:00 or
  // 19:00): each is formatted once, and found again by its milliseconds.
  const written = new Map<number, string>();
  return (instant) => {
    const ms = instant.getTime();
    let out = written.get(ms);
    if (out !== undefined) return out;
    const offset = offsetMinutes(zone, ms);
    const local = new Date(ms + offset * 60_000);
    out = '';
    for (const part of parts) out += part(local, offset);
    if (written.size >= REMEMBERED) written.clear();
    written.set(ms, out);
    return out;
  };
}

/** Checks a pattern without a zone (config validation): the reason it cannot be used, or undefined. */
export function datePatternProblem(pattern: string): string | undefined {
  try {
    compileDatePattern(pattern, 'UTC');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
