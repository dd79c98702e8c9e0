/**
 * A VTIMEZONE for the site's zone (RFC 5545 §3.6.5 requires one for each TZID used), built from the zone's
 * real offset changes (luxon, IANA data) around the feed's window: one STANDARD or DAYLIGHT observance per
 * change, each with its own DTSTART, so no recurrence rule has to be right for every year.
 */
import { DateTime } from 'luxon';

interface Transition {
  at: DateTime;
  from: number;
  to: number;
}

const DAY = 86_400_000;

/** Offset changes of `zone` in [from, to), found day by day and then to the minute. */
export function transitions(zone: string, from: Date, to: Date): Transition[] {
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const out: Transition[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) {
    const before = offsetAt(t);
    const after = offsetAt(t + DAY);
    if (before === after) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
      if (offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    out.push({ at: DateTime.fromMillis(hi, { zone }), from: before, to: after });
  }
  return out;
}

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
};

/** The VTIMEZONE lines for `zone`, covering [from, to). */
export function vtimezone(zone: string, from: Date, to: Date): string[] {
  const changes = transitions(zone, from, to);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const first = DateTime.fromJSDate(from, { zone });
  if (changes.length === 0) {
    // No change in the window: one observance from the window's start.
    const off = first.offset;
    lines.push('BEGIN:STANDARD', `DTSTART:${local(first.startOf('day'))}`, `TZOFFSETFROM:${offsetText(off)}`);
    lines.push(`TZOFFSETTO:${offsetText(off)}`, 'END:STANDARD');
  }
  for (const c of changes) {
    const kind = c.to > c.from ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART is the local time on the clock before the change (RFC 5545 §3.6.5: "in terms of TZOFFSETFROM").
    const wall = DateTime.fromMillis(c.at.toMillis() + c.from * 60_000, { zone: 'utc' });
    lines.push(`BEGIN:${kind}`, `DTSTART:${local(wall)}`, `TZOFFSETFROM:${offsetText(c.from)}`);
    lines.push(`TZOFFSETTO:${offsetText(c.to)}`, `TZNAME:${c.at.offsetNameShort ?? ''}`, `END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** Local date-time digits, as DTSTART;TZID=… and VTIMEZONE's DTSTART want them. */
export function local(d: DateTime): string {
  return d.toFormat("yyyyMMdd'T'HHmmss");
}
