/**
 * The staff-assignment message (the Vocera/Stryker "staff assignment" style): an ADT^A08 (or the
 * configured event) whose ROL segments say who covers which role, and PV1-3 the unit the role belongs
 * to. Per shift: ROL with action AD (added) or UP (updated) for the person covering it now, DE for the
 * person the receiver was last told of when that changed, or DE alone when the shift is gone. Times are
 * UTC with an explicit +0000 offset (ROL-5/6, MSH-7).
 */
import { escape as escapeHl7, formatHl7Time, STANDARD_DELIMITERS } from '../../protocols/hl7/index.ts';

export interface RolePerson {
  /** The person's id at the receiver (ROL-4.1). */
  id: string;
  family: string;
  given: string;
}

export interface StaffAssignment {
  /** Our shift id: ROL-1, so the receiver can replace this one assignment. */
  shiftId: string;
  /** Role code and text (ROL-3). */
  role: { code: string; text: string };
  /** PV1-3 point of care / unit, when the mapping names one. */
  unit: string;
  covering: { person: RolePerson; start: Date; end: Date; action: 'AD' | 'UP' } | null;
  /** The person the receiver holds for this shift and no longer covers it. */
  released: RolePerson | null;
}

export interface MessageHeader {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** e.g. ADT^A08^ADT_A01 */
  messageType: string;
  controlId: string;
  now: Date;
}

const e = (s: string) => escapeHl7(s, STANDARD_DELIMITERS);
const time = (d: Date) => formatHl7Time(d);

/** Splits "Dr. Samira Ahmed" into family and given names for XCN (last word is the family name). */
export function personOf(id: string, name: string): RolePerson {
  const words = name
    .replace(/^(Dr\.?|Mr\.?|Ms\.?|Mrs\.?)\s+/i, '')
    .trim()
    .split(/\s+/);
  const family = words.pop() ?? name;
  return { id, family, given: words.join(' ') };
}

export function buildStaffAssignment(h: MessageHeader, a: StaffAssignment): string {
  const event = h.messageType.split('^')[1] ?? 'A08';
  const xcn = (p: RolePerson) => `${e(p.id)}^${e(p.family)}^${e(p.given)}`;
  const role = `${e(a.role.code)}^${e(a.role.text)}`;
  const segments = [
    `MSH|^~\\&|${e(h.sendingApplication)}|${e(h.sendingFacility)}|${e(h.receivingApplication)}|${e(h.receivingFacility)}|${time(h.now)}||${h.messageType}|${e(h.controlId)}|P|2.5.1`,
    `EVN|${event}|${time(h.now)}`,
    `PV1|1|N|${e(a.unit)}`,
  ];
  if (a.released) segments.push(`ROL|${e(a.shiftId)}|DE|${role}|${xcn(a.released)}`);
  if (a.covering) {
    const c = a.covering;
    segments.push(`ROL|${e(a.shiftId)}|${c.action}|${role}|${xcn(c.person)}|${time(c.start)}|${time(c.end)}`);
  }
  return `${segments.join('\r')}\r`;
}

/** MSA-1, the ACK text and the ERR segments' text (ERR-8, else ERR-3), as one line for the log. */
export function readStaffAck(ack: string): { code: string; text: string } {
  const segments = ack.split(/\r\n|\r|\n/);
  const field = ack.length > 3 ? ack[3] : '|';
  const msa = segments.find((s) => s.startsWith('MSA'))?.split(field) ?? [];
  const errors = segments
    .filter((s) => s.startsWith('ERR'))
    .map((s) => {
      const f = s.split(field);
      return f[8] || f[3] || f[1] || '';
    })
    .filter(Boolean);
  return { code: msa[1] ?? '', text: [msa[3], ...errors].filter(Boolean).join('; ') };
}
