import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../../protocols/hl7/index.ts';
import { isOnset, isPcdAlarm, readPcdAlarm } from './pcd-alarm.ts';
import { pcd04, pcd04CounterStyle } from './pcd-fixtures.ts';
import { alertIdentity } from './pcd-identity.ts';

const read = (text: string) => readPcdAlarm(Hl7Message.parse(text));

describe('readPcdAlarm (PCD-04 ORU^R40)', () => {
  it('reads identity, phase, states, priority, type, reading and location', () => {
    const a = read(pcd04({ controlId: 'C1', alertId: 'A-77', phase: 'start', priority: 'PH', kind: 'SP' }));
    expect(a.reference).toEqual({
      fillerOrder: 'A-77^MONITOR_GW^0012210000000001^EUI-64',
      parent: '',
      legacy: 'A-77^MONITOR_GW',
    });
    expect(alertIdentity(a.reference, isOnset(a.phase), 'rev10')).toBe(
      'A-77^MONITOR_GW^0012210000000001^EUI-64',
    );
    expect(alertIdentity(a.reference, isOnset(a.phase), 'legacy')).toBe('A-77^MONITOR_GW');
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
    expect(first.reference.legacy).toBe(uuid);
    expect(second.reference.legacy).toBe(uuid);
    expect(second.phase).toBe('continue');
    expect(first.type).toEqual({ code: '196650', name: '', text: 'Apnea 20 s' });
    expect(first.text).toBe('Apnea 20 s');
    expect(first.priority).toBe('high');
    expect(first.patient?.location).toEqual({ unit: 'ICU', room: '12', bed: '1', facility: undefined });
  });

  it('names a follow-up by OBR-29.2 (all its sub-components), an onset by OBR-3', () => {
    const withParent = (phase: string) =>
      read(
        pcd04({ controlId: 'C', alertId: 'A-2', phase }).replace(
          /(OBR\|1\|[^\r]*)/,
          '$1||||||||||||||||||||||^FIRST-1&MONITOR_GW&0012210000000001&EUI-64',
        ),
      );
    const update = withParent('update');
    expect(update.reference.parent).toBe('FIRST-1^MONITOR_GW^0012210000000001^EUI-64');
    expect(alertIdentity(update.reference, false, 'rev10')).toBe(
      'FIRST-1^MONITOR_GW^0012210000000001^EUI-64',
    );
    expect(alertIdentity(update.reference, false, 'legacy')).toBe('FIRST-1^MONITOR_GW');
    // At onset OBR-29.2 may repeat OBR-3, and is never used.
    const start = withParent('start');
    expect(alertIdentity(start.reference, true, 'rev10')).toBe('A-2^MONITOR_GW^0012210000000001^EUI-64');
  });

  it('keeps sub-components of an identifier as sub-components (never \\T\\)', () => {
    const a = read(
      pcd04({ controlId: 'C', alertId: 'X', phase: 'update' })
        .replace('X^MONITOR_GW^0012210000000001^EUI-64', '77^ICU&B1&B1&GE_BLR_LAB')
        .replace(/(OBR\|1\|[^\r]*)/, '$1||||||||||||||||||||||^5&ICU&B1'),
    );
    expect(a.reference.fillerOrder).toBe('77^ICU&B1&B1&GE_BLR_LAB');
    expect(a.reference.parent).toBe('5^ICU^B1');
    // OBR-3 transcribed into OBR-29.2 flattens its sub-components (TF-2 B.7): both name the same alert.
    const onset = { ...a.reference, parent: '' };
    const followUp = { ...a.reference, parent: '77^ICU^B1^B1^GE_BLR_LAB' };
    expect(alertIdentity(onset, true, 'rev10')).toBe(alertIdentity(followUp, false, 'rev10'));
  });

  it('reads every TF phase, the 11073 assigned names, ALERT_STATE and the status filter', () => {
    for (const p of [
      'tpoint',
      'start_only',
      'present',
      'inactivate',
      'acknowledged',
      'deescalate',
      'reset',
      'stop',
    ])
      expect(read(pcd04({ controlId: 'C', alertId: 'A', phase: p })).phase).toBe(p);
    expect(read(pcd04({ controlId: 'C', alertId: 'A', phase: '_COMPL' })).phase).toBe('end');
    expect(read(pcd04({ controlId: 'C', alertId: 'A', phase: '_STOP' })).phase).toBe('stop');
    const text = pcd04({ controlId: 'C', alertId: 'A', phase: 'start' })
      .replace('MDC_ATTR_ALARM_STATE', 'MDC_ATTR_ALERT_STATE')
      .replace('|active|', '|active~latched|');
    expect(read(text).alarmState).toBe('active, latched');
    expect(read(text).statusFilter).toBeUndefined();
    const filtered = `${text}OBX|8|ST|0^MDC_ATTR_ALERT_DISSEM_STATUS_FILTER^MDC|1.3.1.150456.9|accepted~REJECTED||||||F\r`;
    expect(read(filtered).statusFilter).toEqual(['ACCEPTED', 'REJECTED']);
    const none = `${text}OBX|8|ST|0^MDC_ATTR_ALERT_DISSEM_STATUS_FILTER^MDC|1.3.1.150456.9|||||||F\r`;
    expect(read(none).statusFilter).toEqual([]);
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
    expect(a.reference.fillerOrder).toBe('A-1^MONITOR_GW^0012210000000001^EUI-64');
    expect(a.serviceId).toBe('196616^MDC_EVT_ALARM^MDC');
    expect(a.reference.legacy).toBe('A-1^MONITOR_GW');
  });
});

describe('one alert per PCD-04', () => {
  it('reads the OBR group that carries the alert; a waveform group after it is evidence', () => {
    const alarm = pcd04({ controlId: 'C', alertId: 'A-1', phase: 'start', priority: 'PH' });
    const waveform =
      'OBR|2||W-1^MONITOR_GW|131328^MDC_ECG_ELEC_POTL^MDC|||20261122092958-0500\r' +
      'OBX|8|NA|131329^MDC_ECG_ELEC_POTL_I^MDC|1.1.1.1|1^2^3^4||||||F\r';
    const at = alarm.indexOf('OBR|');
    const before = read(alarm.slice(0, at) + waveform.replace('OBR|2', 'OBR|1') + alarm.slice(at));
    const after = read(alarm + waveform);
    for (const a of [before, after]) {
      expect(a.reference.fillerOrder).toBe('A-1^MONITOR_GW^0012210000000001^EUI-64');
      expect(a.phase).toBe('start');
      expect(a.priority).toBe('urgent');
    }
  });
});
