/**
 * PCD-05 "Report Alert Status" (ORA^R41^ORA_R41, IHE DEV TF-2 Rev. 10.0 §3.5 and B.10.2): the Alert Manager
 * tells the Alert Reporter what became of an alert it sent with PCD-04. Two shapes, chosen per reporter:
 *
 *   rev10 (the TF)
 *     MSH  ORA^R41^ORA_R41 to the reporter's whole MSH-3/MSH-4, MSH-15 AL, MSH-16 NE,
 *          MSH-21 the PCD-05 profile OID 1.3.6.1.4.1.19376.1.6.1.5.1
 *     MSA  AA and the MSH-10 of the onset PCD-04 (never of an update); MSA-7/8 empty
 *     PID, PV1  as the onset PCD-04 had them, when it had them
 *     OBR  OBR-3 this report's own identifier; OBR-4 as the reporter sent it; OBR-29.2 the alert's
 *          identity (the onset's OBR-3) written as sub-components
 *     PRT  PRT-1 the participation, PRT-2 AD, PRT-3 RESPONSE^<status>^IHE_PCD_ACM, PRT-4 AAP, PRT-5 the
 *          clinician, PRT-6 their provider type when known, PRT-11 when it happened
 *     (no OBX: the TF defines none for the status)
 *   legacy (older revisions, as deployed reporters read it)
 *     OBR-3 the alert's own identifier as received, PRT-3 the status in mixed case (`Accepted`), and an
 *     OBX repeating the status with its time.
 *
 * Identifiers in `fillerOrder`, `serviceId`, `identity` and the reporter's names are already in the
 * standard encoding (as read by src/routing/sources/pcd-identity.ts) and are written as they are.
 */
import {
  encodingCharacters,
  escape as escapeHl7,
  formatHl7Time,
  STANDARD_DELIMITERS,
} from '../../protocols/hl7/index.ts';

/** PRT-3.2 values of TF-2 B.10.2 that Switchboard sends. */
export type AlertStatusWord =
  | 'RECEIVED'
  | 'UNDELIVERABLE'
  | 'DELIVERED'
  | 'READ'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'CANCELLED';

export type ReportShape = 'rev10' | 'legacy';

export interface AlertStatusReport {
  shape: ReportShape;
  /** How Switchboard names itself (MSH-3/MSH-4). */
  application: string;
  facility: string;
  /** The reporter's MSH-3 and MSH-4 as it sent them (standard encoding). */
  reporter: { application: string; facility: string };
  /** MSH-10 of this PCD-05. */
  controlId: string;
  /** This report's own identifier (OBR-3.1 in rev10). */
  reportId: string;
  /** MSH-10 of the PCD-04 that raised the alert. */
  alertControlId: string;
  /** The alert's identity: the onset OBR-3 at component level (rev10: OBR-29.2). */
  identity: string;
  /** OBR-3 of the onset PCD-04 as received (legacy: OBR-3). */
  fillerOrder: string;
  serviceId: string;
  /** PID and PV1 of the onset PCD-04 (standard encoding), echoed by rev10. */
  patientSegments?: readonly string[];
  status: AlertStatusWord;
  /** The clinician the status is about; none for UNDELIVERABLE and CANCELLED that concern nobody. */
  person?: { id: string; name?: string; providerType?: string };
  /** PRT-1: this participation (alert and person). */
  participationId: string;
  at: Date;
  /** HL7 version to state in MSH-12. @defaultValue 2.6 */
  version?: string;
}

/** MSH-21 of a PCD-05 (TF-2 B.1, MSH-21: EI-3 is what identifies the profile). */
export const PCD05_PROFILE = 'IHE_PCD_005^IHE PCD^1.3.6.1.4.1.19376.1.6.1.5.1^ISO';
const LEGACY_PROFILE = 'IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO';

/** Builds the PCD-05 text with CR segment endings (ready for MLLP framing). */
export function buildAlertStatusReport(r: AlertStatusReport): string {
  const e = (t: string) => escapeHl7(t, STANDARD_DELIMITERS);
  const when = formatHl7Time(r.at);
  const msh = [
    'MSH',
    encodingCharacters(STANDARD_DELIMITERS),
    e(r.application),
    e(r.facility),
    r.reporter.application,
    r.reporter.facility,
    when,
    '',
    'ORA^R41^ORA_R41',
    e(r.controlId),
    'P',
    e(r.version || '2.6'),
    '',
    '',
    // MSH-15 AL: the reporter's commit ACK is how the outbox knows the report arrived; MSH-16 NE (TF-2 B.1).
    'AL',
    'NE',
    '',
    'UNICODE UTF-8',
    '',
    '',
    r.shape === 'rev10' ? PCD05_PROFILE : LEGACY_PROFILE,
  ];
  const segments =
    r.shape === 'rev10'
      ? [
          msh,
          ['MSA', 'AA', e(r.alertControlId)],
          ...(r.patientSegments ?? []).map((line) => line.split('|')),
          obr(`${e(r.reportId)}^${e(r.application)}`, r.serviceId, when, r.identity),
          [
            'PRT',
            e(r.participationId),
            'AD',
            `RESPONSE^${r.status}^IHE_PCD_ACM`,
            'AAP^Alert Acknowledging Provider^HL70912',
            personField(r.person),
            r.person?.providerType ? `${e(r.person.providerType)}^${e(r.person.providerType)}^HL70182` : '',
            '',
            '',
            '',
            '',
            when,
          ],
        ]
      : [
          msh,
          ['MSA', 'AA', e(r.alertControlId)],
          ['OBR', '1', '', r.fillerOrder, r.serviceId, '', '', when],
          ['PRT', '1', 'UC', mixedCase(r.status), '', personField(r.person)],
          [
            'OBX',
            '1',
            'ST',
            'ALERT_STATUS^Alert status^L',
            '1',
            mixedCase(r.status),
            '',
            '',
            '',
            '',
            '',
            'F',
            '',
            '',
            when,
          ],
        ];
  return `${segments.map((s) => trimEmpty(s).join('|')).join('\r')}\r`;

  function obr(own: string, service: string, at: string, identity: string): string[] {
    const fields = ['OBR', '1', '', own, service, '', '', at];
    while (fields.length < 29) fields.push('');
    fields.push(`^${identity.replace(/\^/g, '&')}`);
    return fields;
  }

  /** XCN: id ^ family name ^ given names ("Day Nurse" is given Day, family Nurse). */
  function personField(p: AlertStatusReport['person']): string {
    if (!p) return '';
    const [family = '', ...given] = (p.name ?? '').trim().split(/\s+/).reverse();
    return trimEmpty([e(p.id), e(family), e(given.reverse().join(' '))]).join('^');
  }
}

/** Older revisions wrote the status word in mixed case: `Accepted`. */
function mixedCase(word: AlertStatusWord): string {
  return word.charAt(0) + word.slice(1).toLowerCase();
}

/** Drops empty trailing fields (HL7 sends nothing for them). */
function trimEmpty(fields: string[]): string[] {
  let n = fields.length;
  while (n > 1 && fields[n - 1] === '') n -= 1;
  return fields.slice(0, n);
}
