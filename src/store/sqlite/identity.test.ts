import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDb } from './database.ts';
import { SqliteDirectoryOverlay } from './directory.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteDeviceLogins, SqliteSessionStore } from './sessions.ts';

const T0 = new Date('2026-03-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** Sessions and shared devices are in test/store/contract/sessions.ts, run on both stores. */
describe('SQLite identity stores', () => {
  let dir: string;
  let db: SqliteDb;
  let commit: GroupCommit;
  let store: {
    sessions: SqliteSessionStore;
    devices: SqliteDeviceLogins;
    directory: SqliteDirectoryOverlay;
  };
  // The identity stores alone, on the migrated database (the rest of the store is not theirs to test).
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-identity-store-'));
    db = openSqlite(dir);
    commit = new GroupCommit(db);
    store = {
      sessions: new SqliteSessionStore(db, commit),
      devices: new SqliteDeviceLogins(db, commit),
      directory: new SqliteDirectoryOverlay(db, commit),
    };
  });
  afterEach(async () => {
    await commit.durable();
    commit.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps overlay people with where each value came from, and counts revisions', async () => {
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

  it('replaces only the contact points of the source that writes them', async () => {
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

  it('keeps groups with their members and roles', async () => {
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
