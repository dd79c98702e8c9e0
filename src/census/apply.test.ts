import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hl7Message } from '../protocols/hl7/index.ts';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { CensusMessageError } from './adt-change.ts';
import { Census } from './census.ts';
import { CoverageResolver } from './coverage-resolver.ts';
import * as adt from './fixtures/adt-messages.ts';
import { formatLocation } from './location.ts';

let dir: string;
let store: Store;
let census: Census;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'census-'));
  store = openSqliteStore(dir);
  census = new Census(store.census, { zone: 'America/New_York' });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const apply = (raw: string) => census.applyAdt(Hl7Message.parse(raw));
const where = async (mrn = '700123') => formatLocation((await census.activeVisit(mrn))?.location);
const team = async (mrn = '700123') =>
  (await census.careTeam(mrn)).map((m) => `${m.role}:${m.provider.id}`).sort();

describe('applying ADT to the census', () => {
  it('follows admit → transfer → cancel transfer → discharge → cancel discharge', async () => {
    const admitted = await apply(adt.A01_ADMIT);
    expect(admitted?.changes).toContainEqual({ field: 'visit.location', from: '', to: 'RGH/4W 401-A' });
    expect(await where()).toBe('RGH/4W 401-A');
    expect((await census.activeVisit('700123'))?.admittedAt?.toISOString()).toBe('2024-03-10T12:25:00.000Z');

    const moved = await apply(adt.A02_TO_ICU);
    expect(moved?.changes).toContainEqual({
      field: 'visit.location',
      from: 'RGH/4W 401-A',
      to: 'RGH/ICU ICU-2',
    });
    const inIcu = await census.activeVisit('700123');
    expect(formatLocation(inIcu?.location)).toBe('RGH/ICU ICU-2');
    expect(formatLocation(inIcu?.priorLocation)).toBe('RGH/4W 401-A');
    expect((await census.patientsAt({ unit: 'icu' })).map((p) => p.patient.mrn)).toEqual(['700123']);
    expect(await census.patientsAt({ unit: '4W' })).toEqual([]);

    const undone = await apply(adt.A12_CANCEL_TRANSFER);
    expect(undone?.changes).toContainEqual({
      field: 'visit.location',
      from: 'RGH/ICU ICU-2',
      to: 'RGH/4W 401-A',
    });
    expect(await where()).toBe('RGH/4W 401-A');
    expect((await census.activeVisit('700123'))?.priorLocation).toBeUndefined();

    const discharged = await apply(adt.A03_DISCHARGE);
    expect(discharged?.changes).toContainEqual({ field: 'visit.status', from: 'active', to: 'discharged' });
    expect(await census.activeVisit('700123')).toBeUndefined();
    expect((await store.census.visit('V5501'))?.dischargedAt?.toISOString()).toBe('2024-03-14T14:55:00.000Z');
    expect(await census.patientsAt({ unit: '4W' })).toEqual([]);
    // Who looked after her is kept with the visit, but only the patient-level entries are current.
    expect(await team()).toEqual(['PP:P100', 'primary-care:P100']);

    const back = await apply(adt.A13_CANCEL_DISCHARGE);
    expect(back?.changes).toContainEqual({ field: 'visit.status', from: 'discharged', to: 'active' });
    const active = await census.activeVisit('700123');
    expect(active?.status).toBe('active');
    expect(active?.dischargedAt).toBeUndefined();
    expect(await where()).toBe('RGH/4W 401-A');
    expect(await team()).toContain('attending:D200');
  });

  it('cancels a transfer from its own record when the A12 carries no location', async () => {
    await apply(adt.A01_ADMIT);
    await apply(adt.A02_TO_ICU);
    await apply(adt.A12_CANCEL_TRANSFER_NO_LOCATION);
    expect(await where()).toBe('RGH/4W 401-A');
  });

  it('builds the care team from PV1, PD1-4 and ROL, and answers by role name or ROL code', async () => {
    const update = await apply(adt.A01_ADMIT);
    expect(await team()).toEqual([
      'CP:N500',
      'PP:P100',
      'admitting:D200',
      'attending:D200',
      'consulting:D400',
      'consulting:D410',
      'primary-care:P100',
      'referring:D300',
    ]);
    expect(update?.careTeam.added).toHaveLength(8);
    const consultants = await census.careTeamInRole('700123', 'consulting');
    expect(consultants.map((m) => m.provider.id)).toEqual(['D400', 'D410', 'N500']);
    expect((await census.careTeamInRole('700123', 'AT')).map((m) => m.provider.family)).toEqual(['Haddad']);
    // The consulting NP's ROL-5/6 window: on the ward from 10 March 09:00 to 17 March 09:00.
    const before = await census.careTeam('700123', new Date('2024-03-10T12:00:00Z'));
    const during = await census.careTeam('700123', new Date('2024-03-12T12:00:00Z'));
    expect(before.some((m) => m.provider.id === 'N500')).toBe(false);
    expect(during.some((m) => m.provider.id === 'N500')).toBe(true);
  });

  it('applies an A08: demographics and location sent, PV1-9 "" removes consultants, ROL DE/UP', async () => {
    await apply(adt.A01_ADMIT);
    const update = await apply(adt.A08_UPDATE);
    expect(update?.changes).toContainEqual({ field: 'patient.family', from: 'Okafor', to: 'Okafor-Bell' });
    expect(update?.changes).toContainEqual({
      field: 'visit.location',
      from: 'RGH/4W 401-A',
      to: 'RGH/4W 402-B',
    });
    const patient = await census.patient('700123');
    expect(patient?.family).toBe('Okafor-Bell');
    expect(patient?.sex).toBe('F'); // sent again, unchanged
    expect(patient?.birthDate).toBe('1958-02-14');
    expect(await team()).toEqual([
      'HOSP:D260',
      'PP:P100',
      'admitting:D200', // PV1-17 not sent: kept
      'attending:D250',
      'primary-care:P100',
      'referring:D300', // PV1-8 not sent: kept
    ]);
    expect(update?.careTeam.removed.map((m) => m.provider.id).sort()).toEqual([
      'D200',
      'D400',
      'D410',
      'N500',
    ]);
    expect(update?.careTeam.added.map((m) => m.provider.id).sort()).toEqual(['D250', 'D260']);
  });

  it('cancels an admission: the visit is no longer active and the patient lies nowhere', async () => {
    await apply(adt.A01_ADMIT);
    const update = await apply(adt.A11_CANCEL_ADMIT);
    expect(update?.changes).toContainEqual({ field: 'visit.status', from: 'active', to: 'cancelled' });
    expect(await census.activeVisit('700123')).toBeUndefined();
    expect(await census.patientsAt({ unit: '4W' })).toEqual([]);
  });

  it('treats a cancel for a visit it never saw as nothing to do', async () => {
    const update = await apply(adt.A11_CANCEL_ADMIT);
    expect(update?.visit).toBeUndefined();
    expect(await store.census.visit('V5501')).toBeUndefined();
  });

  it('applies the same message twice as once', async () => {
    await apply(adt.A01_ADMIT);
    await apply(adt.A02_TO_ICU);
    const again = await apply(adt.A02_TO_ICU);
    expect(again?.changes).toEqual([]);
    expect(again?.careTeam).toEqual({ added: [], removed: [] });
    const visit = await census.activeVisit('700123');
    expect(formatLocation(visit?.priorLocation)).toBe('RGH/4W 401-A');
  });

  it('merges a duplicate registration: visits and care team move to the survivor, the old number redirects', async () => {
    await apply(adt.A04_DUPLICATE_REGISTRATION);
    await apply(adt.A01_ADMIT);
    expect((await census.activeVisit('700999'))?.visitNumber).toBe('V5499');

    const update = await apply(adt.A40_MERGE);
    expect(update?.merged).toEqual([{ from: '700999', into: '700123' }]);
    expect((await census.patient('700999'))?.mrn).toBe('700123');
    expect((await store.census.visit('V5499'))?.mrn).toBe('700123');
    // Both visits are now the survivor's; the latest admission is the active one.
    expect((await census.activeVisit('700999'))?.visitNumber).toBe('V5501');
    // The PCP came from both registrations' PD1-4: kept once.
    const team700123 = await census.careTeam('700123');
    expect(team700123.filter((m) => m.role === 'primary-care')).toHaveLength(1);

    // A late message under the retired number lands on the survivor without renaming her.
    const late = await apply(adt.A04_DUPLICATE_REGISTRATION.replace('ADT0008', 'ADT0012'));
    expect(late?.mrn).toBe('700123');
    expect(late?.redirectedFrom).toBe('700999');
    expect((await census.patient('700123'))?.family).toBe('Okafor');
  });

  it('keeps flags set by rules across ADT updates and merges', async () => {
    await apply(adt.A04_DUPLICATE_REGISTRATION);
    await apply(adt.A01_ADMIT);
    await census.setPatientFlags('700999', ['fall-risk']);
    await census.setPatientFlags('700123', ['VIP']);
    await apply(adt.A08_UPDATE);
    await apply(adt.A40_MERGE);
    expect((await census.patient('700123'))?.flags.sort()).toEqual(['VIP', 'fall-risk']);
  });

  it('ignores what it does not follow and rejects a followed event without a patient', async () => {
    expect(await apply(adt.ORU_RESULT)).toBeUndefined();
    expect(await apply(adt.A31_PERSON_UPDATE)).toBeUndefined();
    await expect(apply(adt.A01_WITHOUT_MRN)).rejects.toThrow(CensusMessageError);
    // A refused message does not block the ones after it.
    expect((await apply(adt.A01_ADMIT))?.mrn).toBe('700123');
  });

  it('applies messages one at a time in the order given, even when not awaited', async () => {
    const results = await Promise.all([adt.A01_ADMIT, adt.A02_TO_ICU, adt.A12_CANCEL_TRANSFER].map(apply));
    expect(results.map((r) => r?.action)).toEqual(['admit', 'transfer', 'cancel-transfer']);
    expect(await where()).toBe('RGH/4W 401-A');
  });

  it('finds the staff covering the bed the patient lies in now, following a transfer', async () => {
    const coverage = new CoverageResolver({
      entries: [
        {
          person: 'rn-day-4w',
          role: 'nurse',
          unit: '4W',
          beds: ['401-A'],
          window: { start: 420, end: 1140 },
          origin: { file: 't' },
        },
        { person: 'rn-icu', role: 'nurse', unit: 'ICU', beds: ['ICU-2'], origin: { file: 't' } },
      ],
    });
    const noon = new Date('2024-03-10T16:00:00Z'); // 12:00 EDT
    expect(await census.staffCovering('700123', 'nurse', noon, coverage)).toEqual({ matches: [] });
    await apply(adt.A01_ADMIT);
    const onWard = await census.staffCovering('700123', 'nurse', noon, coverage);
    expect(onWard.matches.map((m) => [m.person, m.level])).toEqual([['rn-day-4w', 'bed']]);
    expect(onWard.visit?.visitNumber).toBe('V5501');
    await apply(adt.A02_TO_ICU);
    const inIcu = await census.staffCovering('700123', 'nurse', noon, coverage);
    expect(inIcu.matches.map((m) => m.person)).toEqual(['rn-icu']);
  });

  it('names each person once per role, whether they came by PV1 or by ROL', async () => {
    await apply(adt.A01_ADMIT);
    const pcp = await census.careTeamInRole('700123', 'primary-care');
    expect(pcp.map((m) => m.provider.id)).toEqual(['P100']); // PD1-4 and ROL PP, one person
  });

  it('gives a visit number to a sender that sends none, and keeps using it', async () => {
    await apply(adt.A01_CUSTOM_DELIMITERS.replace('##V7001', '##'));
    expect((await census.activeVisit('55501'))?.visitNumber).toBe('MRN:55501');
    expect(await where('55501')).toBe('NORTH/ICU ICU-5');
  });
});
