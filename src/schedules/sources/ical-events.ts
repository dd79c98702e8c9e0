/**
 * Reads an RFC 5545 calendar (a department's on-call calendar published as .ics) into shifts for a
 * window: each VEVENT, and each occurrence of a recurring one (RRULE/RDATE less EXDATE, with the
 * occurrences a RECURRENCE-ID event moved or changed), becomes one shift per person it names.
 *
 * Times: a TZID with a VTIMEZONE in the file is read by that definition (RFC 5545 3.2.19); a TZID without
 * one by the IANA zone of that name; floating times (no zone) and all-day events in the site's zone, an
 * all-day event covering its local days from midnight to midnight (23 or 25 hours on a DST day).
 */
import ICAL from 'ical.js';
import { isValidZone, wallTimeToInstant } from '../../kit/zone-clock.ts';
import type { SourceShift } from './source.ts';

type ICalTime = InstanceType<typeof ICAL.Time>;
type ICalEvent = InstanceType<typeof ICAL.Event>;
type ICalComponent = InstanceType<typeof ICAL.Component>;

/** Where an event names something: a property (SUMMARY, CATEGORIES, ATTENDEE, X-…), and a pattern's first group. */
export interface ICalField {
  property: string;
  pattern?: RegExp;
}

export interface ICalReading {
  /** The task the shift is worked for. @defaultValue SUMMARY */
  task: ICalField;
  /** The person: ATTENDEE or ORGANIZER (each attendee a shift of their own), or a text property with a pattern. */
  person: ICalField;
  /** Events read as drafts (published: false). */
  unpublishedWhen: ReadonlyArray<'transparent' | 'tentative'>;
  zone: string;
}

/**
 * Occurrences of one event looked at, at most (a daily rule for 54 years; about 60 µs each here): a rule
 * that needs more to reach the window end fails the feed rather than stopping short.
 */
const MAX_OCCURRENCES = 20_000;
/** How far an exception may move an occurrence: originals this far outside the window are still read. */
const MOVE_SLACK_MS = 31 * 86_400_000;

export class ICalendarError extends Error {}

/** Occurrences read between two turns of the event loop, so a long feed never holds up routing. */
const YIELD_EVERY = 1000;

export async function readCalendar(
  text: string,
  from: Date,
  to: Date,
  reading: ICalReading,
): Promise<SourceShift[]> {
  let root: ICalComponent;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    throw new ICalendarError(`not an iCalendar file: ${(err as Error).message}`);
  }
  if (root.name !== 'vcalendar') throw new ICalendarError(`not an iCalendar file: it holds a ${root.name}`);
  const masters = new Map<string, ICalEvent>();
  const exceptions: ICalComponent[] = [];
  for (const vevent of root.getAllSubcomponents('vevent')) {
    if (vevent.hasProperty('recurrence-id')) exceptions.push(vevent);
    else {
      const event = new ICAL.Event(vevent);
      masters.set(event.uid, event);
    }
  }
  for (const ex of exceptions) {
    const uid = String(ex.getFirstPropertyValue('uid') ?? '');
    const master = masters.get(uid);
    // A moved occurrence whose series is not in the file stands alone.
    if (master) master.relateException(ex);
    else masters.set(`${uid}\0${String(ex.getFirstPropertyValue('recurrence-id'))}`, new ICAL.Event(ex));
  }

  const shifts: SourceShift[] = [];
  let read = 0;
  for (const event of masters.values()) {
    if (!event.uid) throw new ICalendarError(`an event has no UID (${event.summary ?? 'no summary'})`);
    if (!event.isRecurring()) {
      const start = instant(event.startDate, event, 'dtstart', reading.zone);
      const end = endOf(event, event.startDate, event.endDate, start, reading.zone);
      if (end > from && start < to) shifts.push(...shiftsOf(event, event.uid, start, end, reading));
      continue;
    }
    // Occurrences are first placed by their wall clock, which is cheap and within a day of the instant:
    // only those near the window are read in full (each costs tens of microseconds in ical.js).
    const lastingMs = Math.max(0, (event.duration?.toSeconds() ?? 0) * 1000);
    const skipBefore = from.getTime() - MOVE_SLACK_MS - lastingMs;
    const stopAt = to.getTime() + MOVE_SLACK_MS;
    const expansion = event.iterator(fastForward(event, skipBefore));
    let done = false;
    for (let n = 0; n < MAX_OCCURRENCES && !done; n++) {
      if (++read % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const next = expansion.next();
      const wall = next
        ? Date.UTC(next.year, next.month - 1, next.day, next.hour, next.minute, next.second)
        : Number.POSITIVE_INFINITY;
      if (!next || wall >= stopAt) done = true;
      else if (wall >= skipBefore) {
        const original = instant(next, event, 'dtstart', reading.zone);
        const details = event.getOccurrenceDetails(next);
        const item = details.item;
        const start = instant(details.startDate, item, 'dtstart', reading.zone);
        const end = endOf(item, details.startDate, details.endDate, start, reading.zone);
        if (end > from && start < to)
          shifts.push(...shiftsOf(item, `${event.uid}/${stamp(original)}`, start, end, reading));
      }
    }
    // Stopping short would read as the event's later shifts removed: refuse the feed instead.
    if (!done)
      throw new ICalendarError(
        `event ${event.uid} repeats more than ${MAX_OCCURRENCES} times before the window ends`,
      );
  }
  return shifts;
}

function shiftsOf(event: ICalEvent, id: string, start: Date, end: Date, reading: ICalReading): SourceShift[] {
  const vevent = event.component;
  const status = String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase();
  // A moment without length (DTSTART alone, RFC 5545 3.6.1: a reminder, say) covers no time on call.
  if (status === 'CANCELLED' || end <= start) return [];
  const transparent = String(vevent.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT';
  const draft =
    (transparent && reading.unpublishedWhen.includes('transparent')) ||
    (status === 'TENTATIVE' && reading.unpublishedWhen.includes('tentative'));
  const task = textOf(vevent, reading.task);
  const base: Omit<SourceShift, 'staff'> = {
    task: task ? { name: task } : {},
    start,
    end,
    published: !draft,
    at: `UID ${event.uid}`,
  };
  const notes = vevent.getFirstPropertyValue('description');
  if (typeof notes === 'string' && notes.trim()) base.notes = notes.trim();
  const people = peopleOf(vevent, reading.person);
  if (people.length <= 1) return [{ ...base, sourceId: id, staff: people[0] ?? {} }];
  return people.map((staff) => ({ ...base, sourceId: `${id}#${staff.email ?? staff.name}`, staff }));
}

function peopleOf(vevent: ICalComponent, field: ICalField): Array<Record<string, string>> {
  const name = field.property.toLowerCase();
  if (name !== 'attendee' && name !== 'organizer') {
    const value = textOf(vevent, field);
    return value ? [{ name: value }] : [];
  }
  const out: Array<Record<string, string>> = [];
  for (const prop of vevent.getAllProperties(name)) {
    const address = String(prop.getFirstValue() ?? '')
      .replace(/^mailto:/i, '')
      .trim();
    const cn = prop.getParameter('cn');
    const person: Record<string, string> = {};
    if (address) person.email = address;
    if (typeof cn === 'string' && cn.trim()) person.name = cn.trim();
    if (field.pattern) {
      const match = field.pattern.exec(person.name ?? person.email ?? '');
      if (!match) continue;
    }
    if (Object.keys(person).length) out.push(person);
  }
  return out;
}

/** A property's text (the first of a list, such as CATEGORIES), through the pattern's first group if given. */
function textOf(vevent: ICalComponent, field: ICalField): string | undefined {
  const prop = vevent.getFirstProperty(field.property.toLowerCase());
  if (!prop) return undefined;
  const value = String(prop.getFirstValue() ?? '').trim();
  if (!field.pattern) return value || undefined;
  for (const line of value.split(/\r?\n/)) {
    const match = field.pattern.exec(line);
    if (match) return (match.groups?.value ?? match[1] ?? match[0]).trim() || undefined;
  }
  return undefined;
}

/**
 * A later start for the expansion of a daily or weekly rule that began long before the window: whole
 * periods of the rule (INTERVAL days or weeks, on the wall clock) are skipped, which keeps every later
 * occurrence where it was, and the skipped start is itself before `skipBefore`, so it is never read as an
 * occurrence. ical.js takes ~25 µs per occurrence: a daily rota begun ten years ago cost ~90 ms a pull.
 * Rules with COUNT (which counts from the real start) or several RRULEs are expanded from the start.
 */
function fastForward(event: ICalEvent, skipBefore: number): ICalTime | undefined {
  const rules = event.component.getAllProperties('rrule');
  if (rules.length !== 1) return undefined;
  const recur = rules[0].getFirstValue() as InstanceType<typeof ICAL.Recur>;
  const days = recur.freq === 'DAILY' ? 1 : recur.freq === 'WEEKLY' ? 7 : 0;
  if (!days || recur.count) return undefined;
  const period = days * Math.max(1, recur.interval ?? 1);
  const start = event.startDate;
  const wall = Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute, start.second);
  const periods = Math.floor((skipBefore - wall) / (period * 86_400_000));
  if (periods < 1) return undefined;
  const later = start.clone();
  later.adjust(periods * period, 0, 0, 0);
  return later;
}

/** The end of an occurrence: DTEND/DURATION, or for an all-day event without either, the next day. */
function endOf(event: ICalEvent, startTime: ICalTime, endTime: ICalTime, start: Date, zone: string): Date {
  const hasEnd = event.component.hasProperty('dtend') || event.component.hasProperty('duration');
  if (!hasEnd && startTime.isDate) {
    const next = startTime.clone();
    next.day += 1;
    return instant(next, event, 'dtstart', zone);
  }
  const end = instant(endTime, event, event.component.hasProperty('dtend') ? 'dtend' : 'dtstart', zone);
  if (end < start) throw new ICalendarError(`event ${event.uid} ends before it starts`);
  return end;
}

/** The instant of an iCalendar time, by the rules in this file's header. */
function instant(time: ICalTime, event: ICalEvent, property: string, zone: string): Date {
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  if (time.isDate) return new Date(wallTimeToInstant(zone, Date.UTC(time.year, time.month - 1, time.day)));
  const tzid = time.zone?.tzid;
  if (tzid === 'UTC' || tzid === 'Z') return new Date(wall);
  if (tzid && tzid !== 'floating') return time.toJSDate();
  // Floating in ical.js: either no TZID at all, or a TZID the file has no VTIMEZONE for.
  const named = event.component.getFirstProperty(property)?.getParameter('tzid');
  const named0 = Array.isArray(named) ? named[0] : named;
  if (typeof named0 === 'string' && named0) {
    if (!isValidZone(named0))
      throw new ICalendarError(`event ${event.uid}: TZID ${named0} has no VTIMEZONE and is no IANA zone`);
    return new Date(wallTimeToInstant(named0, wall));
  }
  return new Date(wallTimeToInstant(zone, wall));
}

const stamp = (d: Date) => d.toISOString().replace(/\.000Z$/, 'Z');
