/**
 * Checks a PCD-05 Report Alert Status (ORA^R41^ORA_R41) against IHE DEV TF-2 Rev. 10.0: the static definition
 * of §3.5.4.1.4 (segment order and cardinality), MSH (B.1: MSH-7 with a time zone, MSH-15 AL, MSH-16 NE,
 * MSH-21 the PCD-05 profile OID), MSA-2 (the onset PCD-04's MSH-10), OBR-3 and OBR-29.2 (table B.7-2) and
 * PRT (B.10.2). Written from the TF text, independently of the builder in src/delivery/pcd, and parsed by
 * hand (no HL7 library of ours), so a fault in our codec cannot hide a fault in our message.
 *
 * Returns the problems found, in plain words; an empty list means the message conforms.
 */

/** What the PCD-04 that raised the alert said, when the caller knows it. */
export interface Pcd05Expectation {
  /** MSH-10 of the onset PCD-04: MSA-2 must be exactly this. */
  onsetControlId?: string;
  /** OBR-3 of the onset PCD-04 as sent (components): OBR-29.2's sub-components must equal its parts. */
  onsetFillerOrder?: string;
}

export const PCD05_PROFILE_OID = '1.3.6.1.4.1.19376.1.6.1.5.1';

/** PRT-3.2 values of TF-2 B.10.2 (ACTIONURI has its own repetition rules; Switchboard never sends it). */
export const PRT3_STATUSES = [
  'RECEIVED',
  'UNDELIVERABLE',
  'DELIVERED',
  'READ',
  'CALLBACKSTART',
  'CALLBACKEND',
  'ACCEPTED',
  'ACCEPTEDPOSITIVE',
  'ACCEPTEDNOTRELEVANT',
  'ACCEPTEDFALSE',
  'REJECTED',
  'CANCELLED',
  'COMPLETED',
];

/** Statuses about the alert as a whole, which may name no participant. */
const NO_PARTICIPANT = new Set(['UNDELIVERABLE', 'CANCELLED']);

/** Table 3.5.4.1.4-1 in order: segment, least and most occurrences. */
const STRUCTURE: Array<[string, number, number]> = [
  ['MSH', 1, 1],
  ['MSA', 1, 1],
  ['PID', 0, 1],
  ['PV1', 0, 1],
  ['ORC', 0, 1],
  ['OBR', 1, Number.POSITIVE_INFINITY],
  ['PRT', 0, 1],
  ['OBX', 0, Number.POSITIVE_INFINITY],
  ['NTE', 0, 1],
];

const TIME_WITH_ZONE = /^\d{8,14}(\.\d{1,4})?[+-]\d{4}$/;

export function validatePcd05(text: string, expect: Pcd05Expectation = {}): string[] {
  const problems: string[] = [];
  const lines = text.split('\r').filter((l) => l !== '');
  if (!text.endsWith('\r')) problems.push('the last segment does not end with CR');
  const names = lines.map((l) => l.slice(0, 3));
  checkStructure(names, problems);

  const field = (seg: string, n: number): string => {
    const line = lines.find((l) => l.startsWith(`${seg}|`)) ?? '';
    const parts = line.split('|');
    return (seg === 'MSH' ? parts[n - 1] : parts[n]) ?? '';
  };
  const comp = (value: string, c: number) => value.split('^')[c - 1] ?? '';

  // MSH (TF-2 B.1)
  if (field('MSH', 2) !== '^~\\&') problems.push(`MSH-2 is ${field('MSH', 2)}, not the standard ^~\\&`);
  if (field('MSH', 9) !== 'ORA^R41^ORA_R41')
    problems.push(`MSH-9 is ${field('MSH', 9)}, not ORA^R41^ORA_R41`);
  if (!TIME_WITH_ZONE.test(field('MSH', 7))) problems.push(`MSH-7 ${field('MSH', 7)} has no time zone`);
  if (!field('MSH', 10)) problems.push('MSH-10 is empty');
  if (!field('MSH', 12)) problems.push('MSH-12 is empty');
  if (field('MSH', 15) !== 'AL') problems.push(`MSH-15 is ${field('MSH', 15)}, not AL`);
  if (field('MSH', 16) !== 'NE') problems.push(`MSH-16 is ${field('MSH', 16)}, not NE`);
  const profile = field('MSH', 21);
  if (comp(profile, 3) !== PCD05_PROFILE_OID || comp(profile, 4) !== 'ISO')
    problems.push(`MSH-21 ${profile} does not name the PCD-05 profile ${PCD05_PROFILE_OID}^ISO`);
  if (!field('MSH', 5)) problems.push('MSH-5 (the reporter) is empty');

  // MSA (TF-2 3.5.4.1.4)
  if (!['AA', 'AE', 'AR'].includes(field('MSA', 1))) problems.push(`MSA-1 is ${field('MSA', 1)}`);
  if (!field('MSA', 2)) problems.push('MSA-2 is empty');
  if (expect.onsetControlId !== undefined && field('MSA', 2) !== expect.onsetControlId)
    problems.push(`MSA-2 is ${field('MSA', 2)}, not the onset PCD-04's MSH-10 ${expect.onsetControlId}`);
  if (field('MSA', 7) || field('MSA', 8)) problems.push('MSA-7 and MSA-8 must be empty');

  // OBR (TF-2 B.7, table B.7-2)
  if (field('OBR', 1) !== '1') problems.push(`OBR-1 is ${field('OBR', 1)}, not 1`);
  if (!comp(field('OBR', 3), 1)) problems.push('OBR-3 (the PCD-05 identifier) is empty');
  if (!field('OBR', 4)) problems.push('OBR-4 is empty');
  const parent = field('OBR', 29);
  const parentFiller = comp(parent, 2);
  if (!parentFiller) problems.push('OBR-29.2 (the alert identity) is empty');
  if (parentFiller && field('OBR', 3) === parentFiller.replace(/&/g, '^'))
    problems.push('OBR-3 repeats the alert identity: it must be the PCD-05 own identifier');
  if (expect.onsetFillerOrder !== undefined) {
    const want = parts(expect.onsetFillerOrder, /[\^&]/);
    const got = parts(parentFiller, /&/);
    if (want.join('\u0000') !== got.join('\u0000'))
      problems.push(`OBR-29.2 ${parentFiller} does not carry the onset OBR-3 ${expect.onsetFillerOrder}`);
  }

  // PRT (TF-2 B.10.2)
  const prt = lines.find((l) => l.startsWith('PRT|'));
  if (!prt) problems.push('no PRT: nothing says the status');
  else {
    const f = prt.split('|');
    const status = comp(f[3] ?? '', 2);
    if (!f[1]) problems.push('PRT-1 is empty');
    if (f[2] !== 'AD') problems.push(`PRT-2 is ${f[2]}, not AD`);
    if (comp(f[3] ?? '', 1) !== 'RESPONSE') problems.push(`PRT-3.1 is ${comp(f[3] ?? '', 1)}, not RESPONSE`);
    if (!PRT3_STATUSES.includes(status)) problems.push(`PRT-3.2 ${status} is not a TF status`);
    if (comp(f[3] ?? '', 3) !== 'IHE_PCD_ACM')
      problems.push(`PRT-3.3 is ${comp(f[3] ?? '', 3)}, not IHE_PCD_ACM`);
    if (comp(f[4] ?? '', 1) !== 'AAP') problems.push(`PRT-4.1 is ${comp(f[4] ?? '', 1)}, not AAP`);
    if (!f[5] && !f[15] && !NO_PARTICIPANT.has(status)) problems.push('neither PRT-5 nor PRT-15 names who');
    if (f[6] && !comp(f[6], 1)) problems.push('PRT-6 has no identifier');
    if (!TIME_WITH_ZONE.test(f[11] ?? '')) problems.push(`PRT-11 ${f[11] ?? ''} is no time with a zone`);
  }

  // The status lives in PRT-3; an OBX is allowed only for an observation the TF defines (MDC-coded).
  for (const obx of lines.filter((l) => l.startsWith('OBX|'))) {
    const id = obx.split('|')[3] ?? '';
    if (comp(id, 3) !== 'MDC') problems.push(`OBX ${id} is no observation the TF defines`);
  }
  return problems;
}

function checkStructure(names: string[], problems: string[]) {
  let i = 0;
  for (const [name, min, max] of STRUCTURE) {
    let n = 0;
    while (names[i] === name) {
      n += 1;
      i += 1;
    }
    if (n < min) problems.push(`${name} is required (found none where it belongs)`);
    if (n > max) problems.push(`${name} may appear at most ${max} time(s), found ${n}`);
  }
  if (i < names.length) problems.push(`segment ${names[i]} is out of place (order: ${names.join(' ')})`);
}

/** The parts of an EI, trailing empty parts dropped ("including absence of lower level parts"). */
function parts(value: string, separator: RegExp): string[] {
  const p = value.split(separator);
  while (p.length && p[p.length - 1] === '') p.pop();
  return p;
}
