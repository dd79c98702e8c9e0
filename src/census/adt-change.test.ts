import { describe, expect, it } from 'vitest';
import { Hl7Message } from '../protocols/hl7/index.ts';
import { adtToCensusChange, CensusMessageError } from './adt-change.ts';
import * as adt from './fixtures/adt-messages.ts';

const zone = 'America/New_York';
const read = (raw: string) => adtToCensusChange(Hl7Message.parse(raw), { zone });

describe('adtToCensusChange', () => {
  it('reads an admission: patient, visit, location, PV1 providers, PD1-4 and ROL at the right level', () => {
    const change = read(adt.A01_ADMIT)!;
    expect(change.event).toBe('A01');
    expect(change.action).toBe('admit');
    // EVN-6 is empty, so the event time is EVN-2, read as New York local time. 10 March 2024 is the
    // spring-forward day: at 08:30 the clocks already read EDT (UTC-4), not EST.
    expect(change.occurredAt.toISOString()).toBe('2024-03-10T12:30:00.000Z');
    expect(change.patient).toEqual({
      mrn: '700123', // the MR repetition, not the first (PI)
      identifiers: [
        { id: 'E88812', type: 'PI', authority: 'EPI' },
        { id: '700123', type: 'MR', authority: 'RGH' },
        { id: '999-22-1111', type: 'SS', authority: 'SSA' },
      ],
      family: 'Okafor',
      given: 'Ruth',
      middle: 'Adaeze',
      birthDate: '1958-02-14',
      sex: 'F',
    });
    expect(change.visit?.visitNumber).toBe('V5501');
    expect(change.visit?.patientClass).toBe('I');
    expect(change.visit?.location).toEqual({
      sent: true,
      value: { facility: 'RGH', unit: '4W', room: '401', bed: 'A' },
    });
    expect(change.visit?.priorLocation).toEqual({ sent: false });
    expect(change.visit?.admittedAt?.toISOString()).toBe('2024-03-10T12:25:00.000Z');

    const fields = change.careTeamFields.map((f) => [
      f.source,
      f.role,
      f.level,
      f.providers.map((p) => p.id),
    ]);
    expect(fields).toEqual([
      ['PD1-4', 'primary-care', 'patient', ['P100']],
      ['PV1-7', 'attending', 'visit', ['D200']],
      ['PV1-8', 'referring', 'visit', ['D300']],
      ['PV1-9', 'consulting', 'visit', ['D400', 'D410']],
      ['PV1-17', 'admitting', 'visit', ['D200']],
    ]);
    const attending = change.careTeamFields[1].providers[0];
    expect(attending).toEqual({
      id: 'D200',
      family: 'Haddad',
      given: 'Omar',
      assigningAuthority: 'RGHPROV',
      idType: 'DN',
    });
    expect(change.careTeamFields[0].providers[0].assigningAuthority).toBe('NPPES');
    expect(change.careTeamFields[0].providers[0].idType).toBe('NPI');

    const [pcp, np] = change.careTeamRoles;
    expect(pcp).toMatchObject({ action: 'add', actionCode: 'AD', level: 'patient' });
    expect(pcp.member).toMatchObject({ role: 'PP', roleText: 'Primary Care Provider', source: 'ROL' });
    expect(np).toMatchObject({ action: 'add', level: 'visit' });
    expect(np.member.role).toBe('CP');
    expect(np.member.provider.family).toBe('Moreau');
    expect(np.member.start?.toISOString()).toBe('2024-03-10T13:00:00.000Z');
    expect(np.member.end?.toISOString()).toBe('2024-03-17T13:00:00.000Z');
  });

  it('tells "not sent" from HL7 null: PV1-9 "" empties the consultants, absent PV1-8 says nothing', () => {
    const change = read(adt.A08_UPDATE)!;
    expect(change.action).toBe('update');
    const sources = change.careTeamFields.map((f) => f.source);
    expect(sources).toEqual(['PV1-7', 'PV1-9']);
    expect(change.careTeamFields[1].providers).toEqual([]);
    expect(change.patient.family).toBe('Okafor-Bell');
    expect(change.careTeamRoles.map((r) => [r.action, r.actionCode, r.member.role])).toEqual([
      ['delete', 'DE', 'CP'],
      ['add', 'UP', 'HOSP'],
    ]);
  });

  it('reads a transfer without PV1-6 as "prior location not sent"', () => {
    const change = read(adt.A02_TO_ICU)!;
    expect(change.action).toBe('transfer');
    expect(change.visit?.location).toEqual({
      sent: true,
      value: { facility: 'RGH', unit: 'ICU', room: '', bed: 'ICU-2' },
    });
    expect(change.visit?.priorLocation).toEqual({ sent: false });
  });

  it('maps each followed trigger to its action', () => {
    expect(read(adt.A03_DISCHARGE)?.action).toBe('discharge');
    expect(read(adt.A03_DISCHARGE)?.visit?.dischargedAt?.toISOString()).toBe('2024-03-14T14:55:00.000Z');
    expect(read(adt.A11_CANCEL_ADMIT)?.action).toBe('cancel-admit');
    expect(read(adt.A12_CANCEL_TRANSFER)?.action).toBe('cancel-transfer');
    expect(read(adt.A13_CANCEL_DISCHARGE)?.action).toBe('cancel-discharge');
    expect(read(adt.A04_DUPLICATE_REGISTRATION)?.action).toBe('register');
  });

  it('pairs each PID of an A40 with its MRG', () => {
    const change = read(adt.A40_MERGE)!;
    expect(change.action).toBe('merge');
    expect(change.merges.map((m) => [m.priorMrn, m.patient.mrn])).toEqual([['700999', '700123']]);
    expect(change.visit).toBeUndefined();
  });

  it('reads a message with its own delimiters and escapes', () => {
    const change = read(adt.A01_CUSTOM_DELIMITERS)!;
    expect(change.patient.mrn).toBe('55501');
    expect(change.patient.family).toBe('Smith$Jones');
    expect(change.patient.given).toBe('Alex');
    expect(change.visit?.location).toEqual({
      sent: true,
      value: { facility: 'NORTH', unit: 'ICU', room: '', bed: 'ICU-5' },
    });
    expect(change.visit?.visitNumber).toBe('V7001');
    const attending = change.careTeamFields.find((f) => f.source === 'PV1-7')!;
    expect(attending.providers.map((p) => `${p.id} ${p.family}`)).toEqual(['D700 Ibrahim', 'D710 Lee']);
    expect(attending.providers[0].assigningAuthority).toBe('NORTHPROV');
  });

  it('reads v2.7+ locations whose parts are HD (name&id&type) by their names', () => {
    const raw = adt.A02_TO_ICU.replace(
      'ICU^^ICU-2^RGH',
      'ICU&2.16.840.1.1&ISO^^ICU-2&77&L^RGH&2.16.840.1.9&ISO',
    );
    expect(read(raw)?.visit?.location).toEqual({
      sent: true,
      value: { facility: 'RGH', unit: 'ICU', room: '', bed: 'ICU-2' },
    });
  });

  it('ignores other message types and ADT events it does not follow', () => {
    expect(read(adt.ORU_RESULT)).toBeUndefined();
    expect(read(adt.A31_PERSON_UPDATE)).toBeUndefined();
  });

  it('refuses a followed event that names no patient', () => {
    expect(() => read(adt.A01_WITHOUT_MRN)).toThrow(CensusMessageError);
    expect(() => read(adt.A01_WITHOUT_MRN)).toThrow(/PID-3/);
  });

  it('falls back to EVN-1 for the trigger when MSH-9 has none (HL7 v2.1 style)', () => {
    const raw = adt.A02_TO_ICU.replace('ADT^A02^ADT_A01', 'ADT');
    expect(read(raw)?.action).toBe('transfer');
  });
});
