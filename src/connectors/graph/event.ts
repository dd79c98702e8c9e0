/**
 * What one shift looks like as an Outlook event: the subject from the assignment, a body with the notes
 * and assignment details the connector includes, start and end as UTC instants (Outlook shows them in each
 * reader's zone, so a shift across a DST change keeps its real length), showAs as configured, no
 * attendees (no invitation goes out), no reminder, and our shift id in a single-value extended property
 * so the event is found again by that id (after a restart, or when our record of it is lost).
 */
import { createHash } from 'node:crypto';
import type { ShiftFacts } from '../shift-view.ts';

export interface GraphEvent {
  subject: string;
  body: { contentType: 'text'; content: string };
  start: { dateTime: string; timeZone: 'UTC' };
  end: { dateTime: string; timeZone: 'UTC' };
  showAs: string;
  isReminderOn: false;
  responseRequested: false;
  categories: string[];
}

export interface EventOptions {
  showAs: string;
  categories: string[];
  includeInfo: boolean;
  siteName: string;
}

/** The extended property's id: a fixed GUID of ours and a name (Graph: "String {guid} Name name"). */
export const SHIFT_PROPERTY_ID = 'String {8f3b3f4e-2c55-4a4e-9a61-5d0b7c1e2a10} Name SwitchboardShiftId';

export function eventOf(f: ShiftFacts, o: EventOptions): GraphEvent {
  const order = f.callOrder > 1 ? ` (call ${f.callOrder})` : '';
  const lines: string[] = [];
  if (o.includeInfo) lines.push(`${f.assignmentName}${f.department ? `, ${f.department}` : ''}${order}`);
  if (f.notes) lines.push(f.notes);
  lines.push(`From ${o.siteName}'s on-call schedule. Changes made here are overwritten.`);
  return {
    subject: `On call: ${f.assignmentName}${order}`,
    body: { contentType: 'text', content: lines.join('\n') },
    start: { dateTime: graphTime(f.start), timeZone: 'UTC' },
    end: { dateTime: graphTime(f.end), timeZone: 'UTC' },
    showAs: o.showAs,
    isReminderOn: false,
    responseRequested: false,
    categories: o.categories,
  };
}

/** Graph's dateTime: local digits without an offset; here UTC's. */
function graphTime(d: Date): string {
  return d
    .toISOString()
    .replace('Z', '')
    .replace(/\.\d+$/, '');
}

/** Our key for a shift in the extended property: the connector and the shift id. */
export const shiftKey = (connectorId: string, shiftId: string): string => `${connectorId}:${shiftId}`;

/** The lookup of a shift's event by the extended property ($filter as Graph documents it). */
export function lookupUrl(upn: string, key: string): string {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${SHIFT_PROPERTY_ID}' and ep/value eq '${key.replace(/'/g, "''")}')`;
  return `/users/${encodeURIComponent(upn)}/events?$filter=${encodeURIComponent(filter)}&$select=id`;
}

/** transactionId for a create: the same across retries of one job, so Graph drops a repeated POST. */
export function transactionIdOf(key: string, deliveryId: number): string {
  const h = createHash('sha256').update(`${key}#${deliveryId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
