/**
 * `during:` windows: a rule that holds only at certain local times, e.g. nights and weekends, read in
 * the site's time zone (IANA, from `site.timezone`). Times are wall-clock times, so a window keeps
 * its meaning across DST changes: 19:00–07:00 is still "the night" on the 23- and 25-hour days.
 *
 *   during:
 *     - { days: [sat, sun] }                                  # whole days
 *     - { from: '19:00', to: '07:00' }                        # every night (crosses midnight)
 *     - { days: [mon, tue, wed, thu, fri], from: '07:00', to: '19:00' }
 *
 * A window that crosses midnight belongs to the day it starts on: `{ days: [fri], from: '19:00',
 * to: '07:00' }` runs from Friday 19:00 to Saturday 07:00.
 */
import { wallClock } from '../../kit/zone-clock.ts';
import type { FileChecker, KeyPath } from './checks.ts';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

interface Window {
  /** ISO weekdays 1 (Monday) to 7 (Sunday). */
  days: ReadonlySet<number>;
  /** Minutes after local midnight; `to` may be 1440 (24:00). */
  from: number;
  to: number;
  text: string;
}

export class DuringWindows {
  private constructor(
    private readonly windows: readonly Window[],
    private readonly zone: string,
  ) {}

  /** Reads one window or a list of them. `zone` must already be a valid IANA zone. */
  static parse(value: unknown, at: KeyPath, check: FileChecker, zone: string): DuringWindows | undefined {
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0) return check.report(at, 'must name at least one window');
    const windows: Window[] = [];
    items.forEach((item, i) => {
      const where = Array.isArray(value) ? [...at, i] : at;
      const w = parseWindow(item, where, check);
      if (w) windows.push(w);
    });
    return windows.length === items.length ? new DuringWindows(windows, zone) : undefined;
  }

  /** The window that holds at `epochMs`, described, or undefined when none does. */
  holdsAt(epochMs: number): string | undefined {
    const { minute, weekday: day } = wallClock(epochMs, this.zone);
    const previous = day === 1 ? 7 : day - 1;
    for (const w of this.windows) {
      const inside =
        w.from < w.to
          ? w.days.has(day) && minute >= w.from && minute < w.to
          : (w.days.has(day) && minute >= w.from) || (w.days.has(previous) && minute < w.to);
      if (inside) return `local time ${WEEKDAYS[day - 1]} ${hhmm(minute)} is within ${w.text} (${this.zone})`;
    }
    return undefined;
  }

  describe(): string {
    return `during ${this.windows.map((w) => w.text).join(' or ')} (${this.zone})`;
  }
}

function parseWindow(value: unknown, at: KeyPath, check: FileChecker): Window | undefined {
  const record = check.mapping(value, at, ['days', 'from', 'to']);
  if (!record) return undefined;
  let days: Set<number> | undefined = new Set([1, 2, 3, 4, 5, 6, 7]);
  if (record.days !== undefined) {
    const names = check.textOrList(record.days, [...at, 'days']);
    days = names ? new Set() : undefined;
    names?.forEach((name, i) => {
      const n = DAY_NAMES.indexOf(name.toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
      if (n === -1) {
        const where = Array.isArray(record.days) ? [...at, 'days', i] : [...at, 'days'];
        check.report(where, `"${name}" is not a day (use ${DAY_NAMES.join(', ')})`);
        days = undefined;
      } else days?.add(n + 1);
    });
  }
  const from = record.from === undefined ? 0 : clock(record.from, [...at, 'from'], check);
  const to = record.to === undefined ? 1440 : clock(record.to, [...at, 'to'], check);
  if (from === undefined || to === undefined || days === undefined) return undefined;
  if (from === to || from === 1440) {
    return check.report(at, 'from and to must differ (use 00:00 to 24:00 for a whole day)');
  }
  const dayText = days.size === 7 ? 'every day' : [...days].map((d) => DAY_NAMES[d - 1]).join(', ');
  return { days, from, to, text: `${dayText} ${hhmm(from)}–${hhmm(to)}` };
}

/** 'HH:MM' (24-hour) as minutes after midnight; '24:00' is the end of the day. */
function clock(value: unknown, at: KeyPath, check: FileChecker): number | undefined {
  const m = typeof value === 'string' ? /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value) : null;
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
  if (minutes === undefined || minutes > 1440) {
    // YAML 1.1 would read 07:00 unquoted as a sexagesimal number; ask for quotes either way.
    return check.report(at, "must be a quoted 24-hour time such as '07:00'");
  }
  return minutes;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
