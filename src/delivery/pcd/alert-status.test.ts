import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../protocols/hl7/index.ts';
import { type AlertStatusReport, buildAlertStatusReport } from './alert-status.ts';
import { retransmission } from './status-reporter.ts';

const report: AlertStatusReport = {
  shape: 'rev10',
  application: 'SWITCHBOARD',
  facility: 'RGH',
  reporter: { application: 'MONITOR_GW^0012210000000001^EUI-64', facility: 'CENTRAL' },
  controlId: 'R41-1',
  reportId: 'R41-1',
  alertControlId: 'P1',
  identity: 'SPO2-9^MONITOR_GW^0012210000000001^EUI-64',
  fillerOrder: 'SPO2-9^MONITOR_GW^0012210000000001^EUI-64',
  serviceId: '196616^MDC_EVT_ALARM^MDC',
  status: 'ACCEPTED',
  person: { id: 'rn-day', name: 'Day Nurse', providerType: 'RN' },
  participationId: '7.rn-day',
  at: new Date('2026-11-22T14:31:05Z'),
  version: '2.6',
};

describe('buildAlertStatusReport (PCD-05 ORA^R41), IHE DEV TF-2 Rev. 10.0', () => {
  const text = buildAlertStatusReport(report);
  const m = Hl7Message.parse(text);

  it('is an ORA^R41 from us to the reporter, addressed by its whole MSH-3, with the PCD-05 profile', () => {
    expect(m.header.messageType).toBe('ORA');
    expect(m.header.triggerEvent).toBe('R41');
    expect(m.header.messageStructure).toBe('ORA_R41');
    expect(m.get('MSH-5')).toBe('MONITOR_GW^0012210000000001^EUI-64');
    expect(m.header.controlId).toBe('R41-1');
    expect(m.header.acceptAckType).toBe('AL');
    expect(m.header.applicationAckType).toBe('NE');
    expect(m.get('MSH-21.3')).toBe('1.3.6.1.4.1.19376.1.6.1.5.1');
  });

  it('has its own OBR-3, the alert in OBR-29.2 as sub-components, the status in PRT and no OBX', () => {
    expect(m.get('MSA-2')).toBe('P1');
    expect(m.get('OBR-3')).toBe('R41-1^SWITCHBOARD');
    expect(m.segments('OBR')[0].field(29)).toBe('^SPO2-9&MONITOR_GW&0012210000000001&EUI-64');
    expect(m.get('PRT-1')).toBe('7.rn-day');
    expect(m.get('PRT-2')).toBe('AD');
    expect(m.segments('PRT')[0].field(3)).toBe('RESPONSE^ACCEPTED^IHE_PCD_ACM');
    expect(m.get('PRT-4.1')).toBe('AAP');
    expect(m.segments('PRT')[0].field(5)).toBe('rn-day^Nurse^Day');
    expect(m.get('PRT-6.1')).toBe('RN');
    expect(m.get('PRT-11')).toMatch(/^20261122143105/);
    expect(m.segments('OBX')).toHaveLength(0);
    expect(text.endsWith('\r')).toBe(true);
  });

  it('a retransmission differs only in MSH-7 and MSH-10 (CP-PCD-157)', () => {
    const again = retransmission(text, new Date('2026-11-22T14:32:00Z'));
    const a = again.split('\r');
    const b = text.split('\r');
    expect(a.slice(1)).toEqual(b.slice(1));
    const [fa, fb] = [a[0]!.split('|'), b[0]!.split('|')];
    expect(fa[6]).not.toBe(fb[6]);
    expect(fa[9]).not.toBe(fb[9]);
    expect([...fa.slice(0, 6), ...fa.slice(7, 9), ...fa.slice(10)]).toEqual([
      ...fb.slice(0, 6),
      ...fb.slice(7, 9),
      ...fb.slice(10),
    ]);
  });
});

describe('buildAlertStatusReport, legacy shape', () => {
  it('echoes OBR-3, says the status in mixed case in PRT-3 and in an OBX', () => {
    const m = Hl7Message.parse(buildAlertStatusReport({ ...report, shape: 'legacy', status: 'READ' }));
    expect(m.get('MSA-2')).toBe('P1');
    expect(m.get('OBR-3')).toBe('SPO2-9^MONITOR_GW^0012210000000001^EUI-64');
    expect(m.get('PRT-3')).toBe('Read');
    expect(m.get('PRT-5.1')).toBe('rn-day');
    expect(m.get('OBX-5')).toBe('Read');
  });

  it('escapes delimiters in names it writes', () => {
    const parsed = Hl7Message.parse(
      buildAlertStatusReport({
        ...report,
        application: 'SB|1',
        version: undefined,
        person: { id: 'p^1' },
      }),
    );
    expect(parsed.header.sendingApplication).toBe('SB|1');
    expect(parsed.get('PRT-5.1')).toBe('p^1');
    expect(parsed.header.version).toBe('2.6');
  });
});
