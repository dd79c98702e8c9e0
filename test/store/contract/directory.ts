import { describe, expect } from 'vitest';
import type { StoreFactory } from '../factories.ts';
import { storePerTest } from './store-per-test.ts';

const T0 = new Date('2026-03-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** What every directory overlay store does (store/directory-port.ts), run against each adapter. */
export function directoryContract(makeStores: () => StoreFactory): void {
  describe(`directory overlay (${makeStores.name})`, () => {
    const it = storePerTest(makeStores);

    it('keeps overlay people with where each value came from, and counts revisions', async ({ store }) => {
      const scim = { source: 'scim:entra', at: T0 };
      const start = await store.directory.revision();
      const p = await store.directory.savePerson(
        'p-new',
        { name: 'Ana Diaz', title: 'RN', ids: { upn: 'ana@hospital.org' }, attributes: { userName: 'ana' } },
        scim,
        { source: 'scim:entra', key: 'u-1' },
      );
      expect(p).toMatchObject({ version: 1, active: true, ids: { upn: 'ana@hospital.org' } });
      const later = { source: 'ldap:corp', at: at(10) };
      await store.directory.savePerson(
        'p-new',
        { department: 'ICU', ids: { upn: null, employeeId: '42' } },
        later,
      );
      const again = await store.directory.personByExternalKey('scim:entra', 'u-1');
      expect(again).toMatchObject({
        name: 'Ana Diaz',
        department: 'ICU',
        ids: { employeeId: '42' },
        version: 2,
      });
      expect(again?.provenance.name).toEqual(scim);
      expect(again?.provenance.department).toEqual(later);
      expect((await store.directory.setActive('p-new', false, later)).active).toBe(false);
      expect(await store.directory.revision()).toBe(start + 3);
    });

    it('replaces only the contact points of the source that writes them', async ({ store }) => {
      const imp = { source: 'import:qgenda', at: T0 };
      const scim = { source: 'scim:entra', at: at(1) };
      await store.directory.replaceContacts('p-ahmed', [{ kind: 'pager', address: '5551001' }], imp);
      await store.directory.replaceContacts('p-ahmed', [{ kind: 'email', address: 'a@h.org' }], scim);
      const both = await store.directory.replaceContacts(
        'p-ahmed',
        [{ kind: 'pager', address: '5551002', label: 'new pager' }],
        imp,
      );
      expect(both.map((c) => [c.kind, c.address, c.origin.source])).toEqual([
        ['email', 'a@h.org', 'scim:entra'],
        ['pager', '5551002', 'import:qgenda'],
      ]);
      expect(await store.directory.contacts()).toHaveLength(2);
    });

    it('keeps groups with their members and roles', async ({ store }) => {
      const scim = { source: 'scim:entra', at: T0 };
      await store.directory.saveGroup('g-icu', { name: 'ICU nurses', roles: ['clinician'] }, scim, {
        source: 'scim:entra',
        key: 'grp-1',
      });
      await store.directory.setMembers('g-icu', ['p-a', 'p-b', 'p-a'], scim);
      expect(await store.directory.groupByExternalKey('scim:entra', 'grp-1')).toMatchObject({
        name: 'ICU nurses',
        members: ['p-a', 'p-b'],
        roles: ['clinician'],
        version: 2,
      });
      expect(await store.directory.removeGroup('g-icu')).toBe(true);
      expect(await store.directory.groups()).toEqual([]);
    });
  });
}
