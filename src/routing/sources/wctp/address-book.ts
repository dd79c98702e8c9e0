/**
 * Who a WCTP recipientID means. A nurse-call or telemetry system addresses a bed and a call type
 * (`4W-401-A-bath`), a role (`RRT`), or a person's pager number; paging clients address a pager number
 * or a person. The analyst's `wctp.recipients` table is tried first, in order, then the directory:
 * a person (our id or any crosswalk id), a device (pager number, app account, phone or SIP address),
 * a group (id or its pager), an assignment on call (first in call order).
 */
import type { Directory } from '../../../directory/directory.ts';
import { normalizePager } from '../../../directory/directory.ts';
import type { PatientContext } from '../../model.ts';
import type { Priority, RecipientSpec } from '../../rules/types.ts';
import type { AddressEntry, WctpRoutingTable } from './routing-table.ts';

export interface WctpDestination {
  recipientID: string;
  /** Fixed recipients; absent for a nurse call (the event and the bed decide). */
  to?: readonly RecipientSpec[];
  nurseCall: boolean;
  location?: NonNullable<PatientContext['location']>;
  /** The event type captured from the recipientID (`{event}`), if the pattern has one. */
  event?: string;
  priority?: Priority;
  escalation?: string;
  callback?: string;
  /** For the timeline: which table entry or which directory lookup matched. */
  why: string;
  /** The alert's ruleId: `wctp:<match>` or `wctp:directory`. */
  ruleId: string;
}

const here = { file: 'directory', key: 'wctp' };

export class WctpAddressBook {
  constructor(
    private readonly table: () => WctpRoutingTable,
    private readonly directory: () => Directory,
    /** Whether an assignment (schedules) with this id exists. */
    private readonly isAssignment: (id: string) => boolean,
  ) {}

  /** The destination of a recipientID, or undefined when nobody is known by it (WCTP 403). */
  lookup(recipientID: string): WctpDestination | undefined {
    const id = recipientID.trim();
    if (!id) return undefined;
    for (const entry of this.table().entries) {
      const m = entry.regex.exec(id);
      if (m) return fromEntry(id, entry, m.groups ?? {});
    }
    return this.fromDirectory(id);
  }

  private fromDirectory(id: string): WctpDestination | undefined {
    const d = this.directory();
    const found = (to: RecipientSpec, why: string): WctpDestination => ({
      recipientID: id,
      to: [to],
      nurseCall: false,
      why,
      ruleId: 'wctp:directory',
    });
    const person = d.findByExternalId('any', id);
    if (person)
      return found({ kind: 'person', id: person.id, at: here }, `person ${person.id} in the directory`);
    if (d.group(id)) return found({ kind: 'group', id, at: here }, `group ${id} in the directory`);
    if (this.isAssignment(id))
      return found(
        { kind: 'onCall', assignment: id, order: 'first', at: here },
        `on call for ${id}, first in call order`,
      );
    if (/\d/.test(id) && normalizePager(id).length >= 3) {
      const { people, groups } = d.findByPagerNumber(id);
      if (people.length || groups.length)
        return found({ kind: 'pager', number: id, at: here }, `holds pager ${id}`);
    }
    // A device address: the clinician app account, a phone or a SIP address written in the directory.
    const wanted = id.toLowerCase();
    for (const p of d.people()) {
      const device = p.contacts.find((c) => c.kind !== 'pager' && c.address.toLowerCase() === wanted);
      if (device)
        return found({ kind: 'person', id: p.id, at: here }, `${device.kind} ${id} belongs to ${p.id}`);
    }
    return undefined;
  }
}

function fromEntry(
  id: string,
  entry: AddressEntry,
  parts: Record<string, string | undefined>,
): WctpDestination {
  const unit = parts.unit ?? entry.unit;
  const location =
    unit || parts.room || parts.bed
      ? { unit, room: parts.room || undefined, bed: parts.bed || undefined }
      : undefined;
  const callback = entry.callback?.replace(
    /\{(unit|room|bed)\}/g,
    (_m, k: string) => parts[k] ?? (k === 'unit' ? (unit ?? '') : ''),
  );
  return {
    recipientID: id,
    to: entry.to,
    nurseCall: entry.nurseCall,
    location,
    event: parts.event,
    priority: entry.priority,
    escalation: entry.escalation,
    callback,
    why: `recipientID matches '${entry.match}' (${entry.at.file}:${entry.at.line ?? '?'})`,
    ruleId: `wctp:${entry.match}`,
  };
}
