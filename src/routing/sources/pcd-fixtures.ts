/**
 * PCD-04 test messages written for Switchboard, shaped like the IHE PCD TF-2 ACM examples: one OBR per alert
 * with the alert identifier in OBR-3, and facets .1 to .7 in OBX-4. `codes` picks between the two numeric
 * code families real reporters use for the same attributes.
 */
export interface PcdFixture {
  controlId: string;
  /** Alert identifier (OBR-3.1). */
  alertId: string;
  /**
   * OBR-3.1 of the onset message, for a follow-up written as IHE DEV TF Rev. 10 has it: its own OBR-3 and
   * the onset's in OBR-29.2 (as sub-components).
   */
  parentId?: string;
  /** OBX-5 repetitions of a MDC_ATTR_ALERT_DISSEM_STATUS_FILTER OBX (CP-PCD-154); none when absent. */
  statusFilter?: string[];
  phase: string;
  state?: string;
  inactivation?: string;
  /** PH / PM / PL / PN */
  priority?: string;
  /** SP / ST / SA */
  kind?: string;
  event?: string;
  value?: string;
  location?: string;
  reporter?: string;
  codes?: 'TF-2' | 'draft';
  /** MSH-16 */
  applicationAck?: string;
  withPatient?: boolean;
}

export function pcd04(f: PcdFixture): string {
  const c =
    f.codes === 'draft'
      ? { phase: '68165', state: '68166', inact: '68167', prio: '68168' }
      : { phase: '68481', state: '68482', inact: '68483', prio: '68484' };
  const sub = '1.3.1.150456';
  const lines = [
    `MSH|^~\\&|${f.reporter ?? 'MONITOR_GW'}^0012210000000001^EUI-64|CENTRAL|SWITCHBOARD|RGH|20261122093000-0500||ORU^R40^ORU_R40|${f.controlId}|P|2.6|||AL|${f.applicationAck ?? 'AL'}||UNICODE UTF-8|||IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO`,
    ...(f.withPatient === false ? [] : ['PID|||MRN4411^^^RGH^MR||OKONJO^TEMI^A||19570309|F']),
    `PV1||I|${f.location ?? '4W^401^A^RGH'}`,
    `OBR|1||${f.alertId}^MONITOR_GW^0012210000000001^EUI-64|196616^MDC_EVT_ALARM^MDC|||20261122092958-0500${
      f.parentId ? `${'|'.repeat(22)}^${f.parentId}&MONITOR_GW&0012210000000001&EUI-64` : ''
    }`,
    `OBX|1|CWE|196616^MDC_EVT_ALARM^MDC|${sub}.1|${f.event ?? '196674^MDC_EVT_LO^MDC'}|||${f.priority ?? 'PH'}~${f.kind ?? 'SP'}|||F|||20261122092958-0500||||BED401_MON^^0012210000000001^EUI-64`,
    `OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|${sub}.2|${f.value ?? '84'}|262688^MDC_DIM_PERCENT^MDC|90-100||||F`,
    `OBX|3|ST|${c.phase}^MDC_ATTR_EVENT_PHASE^MDC|${sub}.3|${f.phase}||||||F`,
    `OBX|4|ST|${c.state}^MDC_ATTR_ALARM_STATE^MDC|${sub}.4|${f.state ?? 'active'}||||||F`,
    `OBX|5|ST|${c.inact}^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC|${sub}.5|${f.inactivation ?? 'enabled'}||||||F`,
    `OBX|6|ST|${c.prio}^MDC_ATTR_ALARM_PRIORITY^MDC|${sub}.6|${f.priority ?? 'PH'}||||||F`,
    `OBX|7|ST|68485^MDC_ATTR_ALERT_TYPE^MDC|${sub}.7|${f.kind ?? 'SP'}||||||F`,
    ...(f.statusFilter
      ? [`OBX|8|ST|0^MDC_ATTR_ALERT_DISSEM_STATUS_FILTER^MDC|${sub}.9|${f.statusFilter.join('~')}||||||F`]
      : []),
  ];
  return `${lines.join('\r')}\r`;
}

/** A reporter that numbers its messages in OBR-3.1 and identifies the alert by a UUID in OBR-3.2, names
 * no attributes (codes only) and puts the alarm code straight into OBX-3 of facet 1. */
export function pcd04CounterStyle(counter: number, uuid: string, phase: string): string {
  return [
    `MSH|^~\\&|0030E60000000001^EUI-64|VENDOR|||20261122093100+0100||ORU^R40^ORU_R40|V${counter}|D|2.6|||AL|NE||||IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO`,
    'PID|||5521^^^^AN||SAMPLE^PAT^^^^^L',
    'PV1|||ICU^12^1',
    `OBR|1||${counter}^${uuid}^0030E60000000001|196616^MDC_EVT_ALARM^MDC|||20261122093100+0100`,
    'OBX|1|ST|196650|1.0.0.0.1|Apnea 20 s||||||F',
    `OBX|3|ST|68165|1.0.0.0.3|${phase}||||||F`,
    'OBX|4|ST|68166|1.0.0.0.4|active||||||F',
    'OBX|6|ST|68168|1.0.0.0.6|PM||||||F',
    '',
  ].join('\r');
}
