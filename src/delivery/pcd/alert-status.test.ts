import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../protocols/hl7/index.ts';
import { buildAlertStatusReport } from './alert-status.ts';

describe('buildAlertStatusReport (PCD-05 ORA^R41)', () => {
  const text = buildAlertStatusReport({
    application: 'SWITCHBOARD',
    facility: 'RGH',
    reporter: { application: 'MONITOR_GW', facility: 'CENTRAL' },
    controlId: 'R41-1',
    alertControlId: 'P1',
    fillerOrder: 'SPO2-9^MONITOR_GW^0012210000000001^EUI-64',
    serviceId: '196616^MDC_EVT_ALARM^MDC',
    status: 'Accepted',
    person: { id: 'rn-day', name: 'Day Nurse' },
    at: new Date('2026-11-22T14:31:05Z'),
    version: '2.6',
  });
  const m = Hl7Message.parse(text);

  it('is an ACM ORA^R41 from us to the reporter', () => {
    expect(m.header.messageType).toBe('ORA');
    expect(m.header.triggerEvent).toBe('R41');
    expect(m.header.messageStructure).toBe('ORA_R41');
    expect(m.header.sendingApplication).toBe('SWITCHBOARD');
    expect(m.header.receivingApplication).toBe('MONITOR_GW');
    expect(m.header.controlId).toBe('R41-1');
    expect(m.header.acceptAckType).toBe('AL');
    expect(m.get('MSH-21.1')).toBe('IHE_PCD_ACM_001');
  });

  it('names the alert as the reporter did and says what happened, by whom, when', () => {
    expect(m.get('MSA-1')).toBe('AA');
    expect(m.get('MSA-2')).toBe('P1');
    expect(m.get('OBR-3.1')).toBe('SPO2-9');
    expect(m.get('OBR-3.4')).toBe('EUI-64');
    expect(m.get('OBR-4.2')).toBe('MDC_EVT_ALARM');
    expect(m.get('PRT-3')).toBe('Accepted');
    expect(m.get('PRT-5.1')).toBe('rn-day');
    expect(m.get('PRT-5.2')).toBe('Nurse');
    expect(m.get('PRT-5.3')).toBe('Day');
    expect(m.get('OBX-5')).toBe('Accepted');
    expect(m.get('OBX-14')).toMatch(/^20261122/);
    expect(text.endsWith('\r')).toBe(true);
  });

  it('escapes delimiters in names it writes', () => {
    const odd = buildAlertStatusReport({
      application: 'SB|1',
      facility: '',
      reporter: { application: 'GW', facility: '' },
      controlId: 'x',
      alertControlId: 'y',
      fillerOrder: 'A',
      serviceId: '',
      status: 'Read',
      person: { id: 'p^1' },
      at: new Date(0),
    });
    const parsed = Hl7Message.parse(odd);
    expect(parsed.header.sendingApplication).toBe('SB|1');
    expect(parsed.get('PRT-5.1')).toBe('p^1');
    expect(parsed.header.version).toBe('2.6');
  });
});
