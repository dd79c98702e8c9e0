import { describe, expect } from 'vitest';
import type { CareTeamMember, Patient, Visit } from '../../../src/store/census-port.ts';
import type { Store } from '../../../src/store/port.ts';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const patient = (mrn: string, family: string): Patient => ({
  mrn,
  identifiers: [{ id: mrn, type: 'MR', authority: 'RGH' }],
  family,
  given: 'Test',
  middle: '',
  birthDate: '1970-05-01',
  sex: 'U',
  flags: [],
  updatedAt: new Date('2024-05-01T10:00:00Z'),
});

const visit = (visitNumber: string, mrn: string, unit: string, room: string, bed: string): Visit => ({
  visitNumber,
  mrn,
  patientClass: 'I',
  status: 'active',
  location: { facility: 'RGH', unit, room, bed },
  admittedAt: new Date('2024-05-01T09:00:00Z'),
  updatedAt: new Date('2024-05-01T10:00:00Z'),
});

const member = (role: string, id: string, extra: Partial<CareTeamMember> = {}): CareTeamMember => ({
  role,
  roleText: '',
  source: 'PV1-7',
  provider: { id, family: `Fam${id}`, given: 'G', assigningAuthority: 'RGHPROV', idType: 'DN' },
  ...extra,
});

/** What every census store does (store/census-port.ts), run against each adapter. */
export function censusContract(makeStores: () => StoreFactory): void {
  describe(`census store (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('finds in-house patients for a picker by MRN prefix or part of the name, never a discharged one', async ({
      store,
    }) => {
      await store.census.upsertPatient(patient('100', 'Aalto'));
      await store.census.upsertVisit(visit('V1', '100', '4W', '401', 'A'));
      await store.census.upsertPatient(patient('1005', 'Bravo_Smith'));
      await store.census.upsertVisit(visit('V2', '1005', '5E', '510', 'B'));
      await store.census.upsertPatient(patient('200', 'Aaltonen'));
      await store.census.upsertVisit({ ...visit('V3', '200', '4W', '402', 'A'), status: 'discharged' });
      const mrns = async (text: string) =>
        (await store.census.findInHouse(text, 10)).map((p) => p.patient.mrn);
      expect(await mrns('100')).toEqual(['100', '1005']);
      expect(await mrns('aal')).toEqual(['100']);
      expect(await mrns('o_s')).toEqual(['1005']);
      expect(await mrns('%')).toEqual([]);
      expect(await mrns('aalto, test')).toEqual(['100']);
      const [first] = await store.census.findInHouse('1005', 1);
      expect(first?.visit.location).toMatchObject({ unit: '5E', room: '510', bed: 'B' });
    });

    it('round-trips patients, visits and care teams, and they survive a reopen', async ({
      store,
      stores,
    }) => {
      await store.census.upsertPatient({ ...patient('100', 'Aalto'), flags: ['VIP'] });
      await store.census.upsertVisit({
        ...visit('V1', '100', '4W', '401', 'A'),
        priorLocation: { facility: 'RGH', unit: 'ED', room: '', bed: 'ED-3' },
        dischargedAt: undefined,
      });
      const start = new Date('2024-05-01T00:00:00Z');
      const end = new Date('2024-05-08T00:00:00Z');
      await store.census.setCareTeam('100', 'V1', [
        member('attending', 'D1', { visitNumber: 'V1' }),
        member('CP', 'N2', { source: 'ROL', roleText: 'Consulting Provider', visitNumber: 'V1', start, end }),
      ]);
      await store.census.setCareTeam('100', undefined, [member('primary-care', 'P3', { source: 'PD1-4' })]);

      await store.close();
      store = await stores.open();

      expect(await store.census.patient('100')).toEqual({ ...patient('100', 'Aalto'), flags: ['VIP'] });
      const v = await store.census.visit('V1');
      expect(v).toEqual({
        ...visit('V1', '100', '4W', '401', 'A'),
        priorLocation: { facility: 'RGH', unit: 'ED', room: '', bed: 'ED-3' },
      });
      expect(await store.census.activeVisit('100')).toEqual(v);
      const team = await store.census.careTeam('100');
      expect(team).toEqual([
        member('primary-care', 'P3', { source: 'PD1-4' }),
        member('attending', 'D1', { visitNumber: 'V1' }),
        member('CP', 'N2', { source: 'ROL', roleText: 'Consulting Provider', visitNumber: 'V1', start, end }),
      ]);
      // ROL-5/6 windows: the end is exclusive.
      expect((await store.census.careTeam('100', end)).map((m) => m.provider.id)).toEqual(['P3', 'D1']);
    });

    it('keeps flags when demographics are upserted again', async ({ store }) => {
      await store.census.upsertPatient(patient('100', 'Aalto'));
      await store.census.setPatientFlags('100', ['isolation']);
      await store.census.upsertPatient({ ...patient('100', 'Aalto-Berg'), flags: [] });
      const p = await store.census.patient('100');
      expect(p?.family).toBe('Aalto-Berg');
      expect(p?.flags).toEqual(['isolation']);
    });

    it('replaces one care-team scope without touching the other', async ({ store }) => {
      await store.census.upsertPatient(patient('100', 'Aalto'));
      await store.census.upsertVisit(visit('V1', '100', '4W', '401', 'A'));
      await store.census.setCareTeam('100', undefined, [member('primary-care', 'P3', { source: 'PD1-4' })]);
      await store.census.setCareTeam('100', 'V1', [member('attending', 'D1', { visitNumber: 'V1' })]);
      await store.census.setCareTeam('100', 'V1', [member('attending', 'D9', { visitNumber: 'V1' })]);
      expect((await store.census.careTeam('100')).map((m) => m.provider.id)).toEqual(['P3', 'D9']);
      expect((await store.census.careTeamScope('100', undefined)).map((m) => m.provider.id)).toEqual(['P3']);
    });

    it('keeps a care team in order, its time bounds too, and empties a scope given no one', async ({
      store,
    }) => {
      await store.census.upsertPatient(patient('100', 'Aalto'));
      const start = new Date('2026-12-07T07:00:00Z');
      const end = new Date('2026-12-07T19:00:00Z');
      await store.census.setCareTeam('100', 'V1', [
        member('attending', 'D2', { visitNumber: 'V1', start, end }),
        member('consulting', 'D1', { visitNumber: 'V1' }),
        member('admitting', 'D3', { visitNumber: 'V1' }),
      ]);
      const team = await store.census.careTeamScope('100', 'V1');
      expect(team.map((m) => [m.role, m.provider.id])).toEqual([
        ['attending', 'D2'],
        ['consulting', 'D1'],
        ['admitting', 'D3'],
      ]);
      expect(team[0].start).toEqual(start);
      expect(team[0].end).toEqual(end);
      expect(team[1].start).toBeUndefined();
      await store.census.setCareTeam('100', 'V1', []);
      expect(await store.census.careTeamScope('100', 'V1')).toEqual([]);
    });

    it('keeps the patients each census file import holds, with their misses, replaced whole', async ({
      store,
      stores,
    }) => {
      const at = new Date('2026-12-07T14:30:00Z');
      expect(await store.census.fileCensus('file:adt-backup')).toEqual(new Map());
      await store.census.saveFileCensus(
        'file:adt-backup',
        new Map([
          ['C1', 0],
          ['C2', 1],
        ]),
        at,
      );
      await store.census.saveFileCensus('file:other', new Map([['C9', 0]]), at);
      await store.census.saveFileCensus('file:adt-backup', new Map([['C1', 1]]), at);
      await store.close();
      const reopened = await stores.open();
      expect(await reopened.census.fileCensus('file:adt-backup')).toEqual(new Map([['C1', 1]]));
      expect(await reopened.census.fileCensus('file:other')).toEqual(new Map([['C9', 0]]));
    });

    it('keeps what each staff import last brought, counts its saves, and shows any change in the stamp', async ({
      store,
    }) => {
      const empty = await store.census.staffCoverageStamp();
      expect(await store.census.staffCoverage()).toEqual([]);
      const at = new Date('2026-12-07T14:30:00Z');
      const day = [{ person: 'rn-day', role: 'nurse', unit: '5E', beds: ['510-B'], origin: { file: 'x' } }];
      expect(await store.census.saveStaffCoverage('nurse-call', day, at)).toBe(1);
      expect(await store.census.saveStaffCoverage('staffing', [], at)).toBe(1);
      const first = await store.census.staffCoverageStamp();
      expect(first).not.toBe(empty);
      // The same entries again, at the same instant: still a save of its own.
      expect(await store.census.saveStaffCoverage('nurse-call', day, at)).toBe(2);
      expect(await store.census.staffCoverageStamp()).not.toBe(first);
      expect(await store.census.staffCoverage()).toEqual([
        { source: 'nurse-call', entries: day, revision: 2, updatedAt: at },
        { source: 'staffing', entries: [], revision: 1, updatedAt: at },
      ]);
    });

    it('has no active visit for a patient it does not know, or one with none active', async ({ store }) => {
      expect(await store.census.activeVisit('nobody')).toBeUndefined();
      await store.census.upsertPatient(patient('100', 'Aalto'));
      expect(await store.census.activeVisit('100')).toBeUndefined();
      await store.census.upsertVisit({ ...visit('V1', '100', '4W', '401', 'A'), status: 'discharged' });
      expect(await store.census.activeVisit('100')).toBeUndefined();
    });

    it('lists patients at a unit, a room or a bed, active visits only, case-insensitively', async ({
      store,
    }) => {
      for (const [mrn, v] of [
        ['100', visit('V1', '100', '4W', '401', 'A')],
        ['101', visit('V2', '101', '4W', '401', 'B')],
        ['102', visit('V3', '102', '4W', '402', 'A')],
        ['103', { ...visit('V4', '103', '4W', '403', 'A'), status: 'discharged' as const }],
        ['104', visit('V5', '104', 'ICU', '', 'ICU-1')],
      ] as const) {
        await store.census.upsertPatient(patient(mrn, `P${mrn}`));
        await store.census.upsertVisit(v);
      }
      const mrns = async (where: Parameters<Store['census']['patientsAt']>[0]) =>
        (await store.census.patientsAt(where)).map((p) => p.patient.mrn);
      expect(await mrns({ unit: '4w' })).toEqual(['100', '101', '102']);
      expect(await mrns({ unit: '4W', room: '401' })).toEqual(['100', '101']);
      expect(await mrns({ unit: '4W', room: '401', bed: 'b' })).toEqual(['101']);
      expect(await mrns({ bed: 'ICU-1' })).toEqual(['104']);
      expect(await mrns({ unit: '4W', room: '403' })).toEqual([]);
    });

    it('merges: visits and care team move, duplicates are dropped, chains point at the survivor', async ({
      store,
    }) => {
      await store.census.upsertPatient(patient('A', 'Dup'));
      await store.census.upsertPatient(patient('B', 'Dup'));
      await store.census.upsertPatient(patient('C', 'Keep'));
      await store.census.upsertVisit(visit('VA', 'A', 'ED', '', 'ED-1'));
      await store.census.setCareTeam('A', undefined, [member('primary-care', 'P1', { source: 'PD1-4' })]);
      await store.census.setCareTeam('C', undefined, [member('primary-care', 'P1', { source: 'PD1-4' })]);
      await store.census.setCareTeam('A', 'VA', [member('attending', 'D1', { visitNumber: 'VA' })]);

      await store.census.mergePatients('A', 'B');
      await store.census.mergePatients('B', 'C');

      expect((await store.census.patient('A'))?.mrn).toBe('C');
      expect((await store.census.visit('VA'))?.mrn).toBe('C');
      expect((await store.census.activeVisit('A'))?.visitNumber).toBe('VA');
      expect((await store.census.careTeam('C')).map((m) => `${m.role}:${m.provider.id}`)).toEqual([
        'primary-care:P1',
        'attending:D1',
      ]);
      // Merging into a number never seen creates it, so the redirect has somewhere to go.
      await store.census.mergePatients('C', 'D');
      expect((await store.census.patient('A'))?.mrn).toBe('D');
      expect(await store.census.patient('nobody')).toBeUndefined();
      expect(await store.census.careTeam('nobody')).toEqual([]);
    });

    it('does not spin on a merge loop', async ({ store }) => {
      await store.census.upsertPatient(patient('A', 'Loop'));
      await store.census.mergePatients('A', 'B');
      await store.census.mergePatients('B', 'A');
      // B → A reverses the first merge: A lives again, and B points at it.
      expect((await store.census.patient('B'))?.mrn).toBe('A');
      expect((await store.census.patient('A'))?.mrn).toBe('A');
    });
  });
}
