/**
 * PCD-05 "Report Alert Status" (ORA^R41^ORA_R41, IHE PCD TF-2 ACM): the Alert Manager tells the Alert
 * Reporter what became of an alert it sent with PCD-04: delivered to a clinician's device, read, accepted,
 * rejected. The message echoes the alert's OBR-3 (and OBR-4) exactly as the reporter sent them, so the
 * reporter finds its alert whatever identifier scheme it uses.
 *
 *   MSH  ORA^R41^ORA_R41, MSH-21 IHE_PCD_ACM_001 (the ACM profile)
 *   MSA  AA and the MSH-10 of the PCD-04 that raised the alert (ORA_R41 in HL7 v2.8 starts MSH MSA)
 *   OBR  OBR-3 / OBR-4 as received
 *   PRT  PRT-3 the status word, PRT-5 the clinician (participant), as alert managers in the field send it
 *   OBX  the status again as an observation, with the time it happened (OBX-14)
 */
import {
  encodingCharacters,
  escape as escapeHl7,
  formatHl7Time,
  STANDARD_DELIMITERS,
} from '../../protocols/hl7/index.ts';

export type AlertStatusWord = 'Delivered' | 'Read' | 'Accepted' | 'Rejected';

export interface AlertStatusReport {
  /** How Switchboard names itself (MSH-3/MSH-4). */
  application: string;
  facility: string;
  reporter: { application: string; facility: string };
  /** MSH-10 of this PCD-05. */
  controlId: string;
  /** MSH-10 of the PCD-04 that raised the alert. */
  alertControlId: string;
  /** OBR-3 and OBR-4 exactly as the reporter sent them (still escaped). */
  fillerOrder: string;
  serviceId: string;
  status: AlertStatusWord;
  person: { id: string; name?: string };
  at: Date;
  /** HL7 version to state in MSH-12. @defaultValue 2.6 */
  version?: string;
}

const ACM_PROFILE = 'IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO';

/** Builds the PCD-05 text with CR segment endings (ready for MLLP framing). */
export function buildAlertStatusReport(r: AlertStatusReport): string {
  const d = STANDARD_DELIMITERS;
  const e = (t: string) => escapeHl7(t, d);
  const when = formatHl7Time(r.at);
  const [family, ...given] = (r.person.name ?? '').trim().split(/\s+/).reverse();
  const personName = r.person.name ? `${e(family ?? '')}^${e(given.reverse().join(' '))}` : '';
  const segments = [
    [
      'MSH',
      encodingCharacters(d),
      e(r.application),
      e(r.facility),
      e(r.reporter.application),
      e(r.reporter.facility),
      when,
      '',
      'ORA^R41^ORA_R41',
      e(r.controlId),
      'P',
      e(r.version || '2.6'),
      '',
      '',
      // MSH-15 AL: the reporter's commit ACK is how the outbox knows the report arrived.
      'AL',
      'NE',
      '',
      'UNICODE UTF-8',
      '',
      '',
      ACM_PROFILE,
    ],
    ['MSA', 'AA', e(r.alertControlId)],
    ['OBR', '1', '', r.fillerOrder, r.serviceId, '', '', when],
    ['PRT', '1', 'UC', r.status, '', `${e(r.person.id)}${personName ? `^${personName}` : ''}`],
    ['OBX', '1', 'ST', 'ALERT_STATUS^Alert status^L', '1', r.status, '', '', '', '', '', 'F', '', '', when],
  ];
  return `${segments.map((s) => s.join(d.field)).join('\r')}\r`;
}
