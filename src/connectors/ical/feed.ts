/**
 * An iCalendar feed (RFC 5545) of one person's or one assignment's shifts in the connector's window:
 * stable UIDs (the shift id), SEQUENCE from the connector's state (bumped at each change the feed
 * consumer sees), DTSTART/DTEND in the site's zone with its VTIMEZONE, and cancelled shifts either dropped
 * or kept as STATUS:CANCELLED, as configured. Calendar clients poll it; nothing is pushed.
 */
import { DateTime } from 'luxon';
import type { Shift } from '../../store/schedule-port.ts';
import type { ShiftFacts } from '../shift-view.ts';
import { local, vtimezone } from './vtimezone.ts';

/** What the connector keeps per shift: its SEQUENCE, and the last shown state once cancelled. */
export interface FeedShiftState {
  sequence: number;
  /** Set while the shift is cancelled (removed, or a draft again) and the feed keeps it as CANCELLED. */
  cancelled?: { start: string; end: string; personId: string; assignmentId: string; title: string };
}

export interface FeedEvent {
  shiftId: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  sequence: number;
  cancelled: boolean;
}

export interface FeedOptions {
  calendarName: string;
  connectorId: string;
  zone: string;
  window: { from: Date; to: Date };
  now: Date;
  /** busy (OPAQUE) or free (TRANSPARENT). */
  transparent: boolean;
}

export function summaryOf(f: ShiftFacts, subject: 'person' | 'assignment'): string {
  const order = f.callOrder > 1 ? ` (call ${f.callOrder})` : '';
  return subject === 'person' ? `On call: ${f.assignmentName}${order}` : `${f.personName}${order}`;
}

export function descriptionOf(f: ShiftFacts, includeInfo: boolean): string {
  const lines = [] as string[];
  if (includeInfo)
    lines.push(`${f.assignmentName}${f.department ? `, ${f.department}` : ''}: ${f.personName}`);
  if (f.notes) lines.push(f.notes);
  return lines.join('\n');
}

export function renderFeed(events: readonly FeedEvent[], o: FeedOptions): string {
  const stamp = `${DateTime.fromJSDate(o.now, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss")}Z`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Switchboard//On-call schedule//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${text(o.calendarName)}`,
    `X-WR-TIMEZONE:${o.zone}`,
    ...vtimezone(
      o.zone,
      new Date(o.window.from.getTime() - 400 * 86_400_000),
      new Date(o.window.to.getTime() + 400 * 86_400_000),
    ),
  ];
  for (const e of [...events].sort(
    (a, b) => a.start.getTime() - b.start.getTime() || (a.shiftId < b.shiftId ? -1 : 1),
  )) {
    const at = (d: Date) => `;TZID=${o.zone}:${local(DateTime.fromJSDate(d, { zone: o.zone }))}`;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${text(e.shiftId)}@${o.connectorId}.switchboard`,
      `DTSTAMP:${stamp}`,
      `DTSTART${at(e.start)}`,
      `DTEND${at(e.end)}`,
      `SEQUENCE:${e.sequence}`,
      `SUMMARY:${text(e.summary)}`,
      ...(e.description ? [`DESCRIPTION:${text(e.description)}`] : []),
      `STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      `TRANSP:${o.transparent || e.cancelled ? 'TRANSPARENT' : 'OPAQUE'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** TEXT escaping (RFC 5545 §3.3.11). */
function text(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Lines longer than 75 octets folded (§3.1), never inside a UTF-8 sequence. */
function fold(line: string): string {
  if (Buffer.byteLength(line) <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (Buffer.byteLength(current + ch) > (parts.length ? 74 : 75)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** Our shift as the state keeps it once cancelled. */
export function cancelledOf(shift: Shift, title: string): NonNullable<FeedShiftState['cancelled']> {
  return {
    start: shift.start.toISOString(),
    end: shift.end.toISOString(),
    personId: shift.personId,
    assignmentId: shift.assignmentId,
    title,
  };
}
