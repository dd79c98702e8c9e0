/**
 * On-call reasons in the hospital's words and the site's local time, for the timeline, the dry run and the
 * clinician page alike: "on call for Hospitalist, first call, 07:00–19:00" rather than a shift id and two
 * UTC instants; "nobody on call for Cardiology at 2026-10-04 07:30 GMT+11 (…gap…)" when a step finds no one.
 */
import { wallClock } from '../kit/zone-clock.ts';
import { formatLocal, localDay } from '../schedules/local-time.ts';

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** 'first call', 'second call' … as a rota says it; 'call order 7' past fifth. */
export function callOrderWords(order: number): string {
  return ORDINALS[order - 1] ? `${ORDINALS[order - 1]} call` : `call order ${order}`;
}

const hhmm = (at: Date, zone: string) => {
  const { minute } = wallClock(at.getTime(), zone);
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
};

/** A local time with its day, e.g. 'Sun 4 Oct 07:00'. */
const dayAndTime = (at: Date, zone: string) => {
  const d = localDay(at, zone);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][
    new Date(d.ordinal * 86_400_000).getUTCDay()
  ];
  const month = new Date(d.ordinal * 86_400_000).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${weekday} ${d.day} ${month} ${hhmm(at, zone)}`;
};

/**
 * A shift's hours on the site's wall clock: '07:00–19:00' within one day, '19:00–07:00' overnight, with
 * the days written out when it runs a whole day or longer. Wall-clock times, so a shift across a DST change
 * still reads as the rota wrote it.
 */
export function shiftHours(start: Date, end: Date, zone: string): string {
  const days = localDay(end, zone).ordinal - localDay(start, zone).ordinal;
  const from = hhmm(start, zone);
  const to = hhmm(end, zone);
  if (days === 0 || (days === 1 && to < from)) return `${from}–${to}`;
  return `${dayAndTime(start, zone)} – ${dayAndTime(end, zone)}`;
}

/** Why someone on call was chosen. */
export function onCallReason(
  assignment: string,
  entry: { callOrder: number; start: Date; end: Date },
  zone: string,
): string {
  return `on call for ${assignment}, ${callOrderWords(entry.callOrder)}, ${shiftHours(entry.start, entry.end, zone)}`;
}

/** A stretch of the schedule with nobody reachable on call; an end left open runs past what was searched. */
export interface OnCallGap {
  start?: Date;
  end?: Date;
}

/**
 * Why an on-call target found nobody: the assignment, the local time, and (when the schedule store knows
 * it) the gap in the schedule and when someone is next on call.
 */
export function nobodyOnCallNote(
  assignment: string,
  at: Date,
  zone: string,
  options: { order?: number | 'first' | 'all'; othersOnCall?: boolean; gap?: OnCallGap } = {},
): string {
  const who = typeof options.order === 'number' ? ` as ${callOrderWords(options.order)}` : '';
  const head = `nobody on call for ${assignment}${who} at ${formatLocal(at, zone)}`;
  if (options.othersOnCall) return `${head} (others are on call at other call orders)`;
  const gap = options.gap;
  if (!gap) return head;
  const local = (t: Date) =>
    localDay(t, zone).ordinal === localDay(at, zone).ordinal ? hhmm(t, zone) : dayAndTime(t, zone);
  const until = gap.end ? `until ${local(gap.end)}, when the next shift starts` : '';
  if (gap.start)
    return `${head}: a gap in the schedule from ${local(gap.start)} ${until || 'with no later shift scheduled'}`;
  return until
    ? `${head}: a gap in the schedule ${until}`
    : `${head}: no shift in the schedule around this time`;
}
