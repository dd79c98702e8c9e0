import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../protocols/hl7/index.ts';
import { isPcdAlarm, readPcdAlarm, readPcdAlarms } from './pcd-alarm.ts';
import { pcd04, pcd04CounterStyle } from './pcd-fixtures.ts';

const read = (text: string) => readPcdAlarm(Hl7Message.parse(text));

describe('readPcdAlarm (PCD-04 ORU^R40)', () => {
  it('reads identity, phase, states, priority, type, reading and location', () => {
    const a = read(pcd04({ controlId: 'C1', alertId: 'A-77', phase: 'start', priority: 'PH', kind: 'SP' }));
    expect(a.instanceId).toBe('A-77^MONITOR_GW');
    expect(a.fillerOrder).toBe('A-77^MONITOR_GW^0012210000000001^EUI-64');
    expect(a.serviceId).toBe('196616^MDC_EVT_ALARM^MDC');
    expect(a.phase).toBe('start');
    expect(a.alarmState).toBe('active');
    expect(a.inactivationState).toBe('enabled');
    expect(a.priorityCode).toBe('PH');
    expect(a.priority).toBe('urgent');
    expect(a.sourceKind).toBe('SP');
    expect(a.type).toEqual({ code: '196674', name: 'MDC_EVT_LO', text: '' });
    expect(a.reading).toEqual({
      name: 'MDC_PULS_OXIM_SAT_O2',
      value: '84',
      units: 'MDC_DIM_PERCENT',
      limits: '90-100',
    });
    expect(a.device).toBe('BED401_MON');
    expect(a.patient).toEqual({
      mrn: 'MRN4411',
      name: 'OKONJO, TEMI',
      location: { unit: '4W', room: '401', bed: 'A', facility: 'RGH' },
    });
    expect(a.watchdog).toBe(false);
  });

  it('maps every ACM priority to the alert priorities', () => {
    const priorities = ['PH', 'PM', 'PL', 'PN'].map(
      (p) => read(pcd04({ controlId: 'C', alertId: 'A', phase: 'start', priority: p })).priority,
    );
    expect(priorities).toEqual(['urgent', 'high', 'normal', 'low']);
  });

  it('matches attributes by name whatever numeric code family the source uses', () => {
    const a = read(
      pcd04({
        controlId: 'C',
        alertId: 'A',
        phase: 'end',
        state: 'inactive',
        codes: 'draft',
        priority: 'PL',
      }),
    );
    expect(a.phase).toBe('end');
    expect(a.alarmState).toBe('inactive');
    expect(a.priority).toBe('normal');
  });

  it('reads a counter-style reporter: UUID identity, codes only, alarm code in OBX-3', () => {
    const uuid = '381a5f0b-b319-4db3-b100-4b5efa76147e';
    const first = read(pcd04CounterStyle(1, uuid, 'start'));
    const second = read(pcd04CounterStyle(2, uuid, 'continue'));
    expect(first.instanceId).toBe(uuid);
    expect(second.instanceId).toBe(uuid);
    expect(second.phase).toBe('continue');
    expect(first.type).toEqual({ code: '196650', name: '', text: 'Apnea 20 s' });
    expect(first.text).toBe('Apnea 20 s');
    expect(first.priority).toBe('high');
    expect(first.patient?.location).toEqual({ unit: 'ICU', room: '12', bed: '1', facility: undefined });
  });

  it('prefers the parent reference in OBR-29 as the instance', () => {
    const text = pcd04({ controlId: 'C', alertId: 'A-2', phase: 'update' }).replace(
      /(OBR\|1\|[^\r]*)/,
      '$1||||||||||||||||||||||^FIRST-1&MONITOR_GW',
    );
    expect(read(text).instanceId).toBe('FIRST-1');
  });

  it('recognises a watchdog and a PCD-04 among other ORUs', () => {
    const watchdog = pcd04({
      controlId: 'W',
      alertId: 'W1',
      phase: 'start',
      event: '0^MDC_EVT_WATCHDOG^MDC',
      priority: 'PN',
    });
    expect(read(watchdog).watchdog).toBe(true);
    expect(isPcdAlarm(Hl7Message.parse(watchdog))).toBe(true);
    expect(isPcdAlarm(Hl7Message.parse('MSH|^~\\&|LAB|RGH|||20260101||ORU^R01|1|P|2.5\rPID|||1\r'))).toBe(
      false,
    );
  });

  it('treats an unknown phase as unknown and a missing one as start', () => {
    expect(read(pcd04({ controlId: 'C', alertId: 'A', phase: 'wobble' })).phase).toBe('unknown');
    const noPhase = pcd04({ controlId: 'C', alertId: 'A', phase: 'x' }).replace(/OBX\|3\|[^\r]*\r/, '');
    expect(read(noPhase).phase).toBe('start');
  });
});

describe('readPcdAlarm with a sender of its own delimiters', () => {
  it('writes OBR-3 back with the standard delimiters for PCD-05', () => {
    const text = pcd04({ controlId: 'C', alertId: 'A-1', phase: 'start' })
      .replace('MSH|^~\\&|', 'MSH|$~\\&|')
      .replace(/\^/g, '$');
    const a = read(text);
    expect(a.fillerOrder).toBe('A-1^MONITOR_GW^0012210000000001^EUI-64');
    expect(a.serviceId).toBe('196616^MDC_EVT_ALARM^MDC');
    expect(a.instanceId).toBe('A-1^MONITOR_GW');
  });
});

describe('readPcdAlarms', () => {
  it('reads one alert per OBR group', () => {
    const first = pcd04({ controlId: 'C', alertId: 'A-1', phase: 'start', priority: 'PH' });
    const second = pcd04({ controlId: 'C', alertId: 'B-2', phase: 'end', priority: 'PL', value: '55' });
    const groups = second.slice(second.indexOf('OBR|'));
    const alarms = readPcdAlarms(Hl7Message.parse(first + groups));
    expect(alarms.map((a) => [a.instanceId, a.phase, a.priority, a.reading?.value])).toEqual([
      ['A-1^MONITOR_GW', 'start', 'urgent', '84'],
      ['B-2^MONITOR_GW', 'end', 'normal', '55'],
    ]);
  });
});
