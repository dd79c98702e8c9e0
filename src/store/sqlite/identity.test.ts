import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewSession } from '../session-port.ts';
import { openSqlite, type SqliteDb } from './database.ts';
import { SqliteDirectoryOverlay } from './directory.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteDeviceLogins, SqliteSessionStore } from './sessions.ts';

const T0 = new Date('2026-03-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

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

  const session = (id: string, over: Partial<NewSession> = {}): NewSession => ({
    id,
    tokenHash: `hash-${id}`,
    username: 'dr.one',
    personId: 'p-one',
    roles: ['clinician'],
    method: 'password',
    device: null,
    address: '127.0.0.1',
    createdAt: T0,
    idleExpiresAt: at(30),
    absoluteExpiresAt: at(12 * 60),
    ...over,
  });

  it('finds a live session by its token hash until it ends, idles out or expires', async () => {
    await store.sessions.create(session('s1'));
    expect((await store.sessions.live('hash-s1', at(5)))?.roles).toEqual(['clinician']);
    expect(await store.sessions.live('hash-s1', at(31))).toBeUndefined();
    await store.sessions.touch('s1', at(25), at(55));
    expect((await store.sessions.live('hash-s1', at(31)))?.lastSeenAt).toEqual(at(25));
    // The idle expiry is never pushed past the absolute one.
    await store.sessions.touch('s1', at(700), at(800));
    expect(await store.sessions.live('hash-s1', at(12 * 60 + 1))).toBeUndefined();
    expect(await store.sessions.end('s1', at(40), 'signed-out')).toBe(true);
    expect(await store.sessions.end('s1', at(41), 'signed-out')).toBe(false);
    expect(await store.sessions.live('hash-s1', at(41))).toBeUndefined();
    const [ended] = await store.sessions.listOf('p-one', { includeEnded: true });
    expect(ended).toMatchObject({ id: 's1', endReason: 'signed-out', endedAt: at(40) });
  });

  it("ends every live session of a person, and a device's sessions, and sweeps expired ones", async () => {
    await store.sessions.create(session('a'));
    await store.sessions.create(session('b', { device: 'unit-phone-4' }));
    await store.sessions.create(session('c', { personId: 'p-two', username: 'rn.two' }));
    await store.sessions.create(
      session('d', { personId: 'p-two', username: 'rn.two', idleExpiresAt: at(1) }),
    );
    const ended = await store.sessions.endAll({ personId: 'p-one' }, at(2), 'revoked');
    expect(ended.map((s) => s.id).sort()).toEqual(['a', 'b']);
    expect(await store.sessions.listOf('p-one')).toEqual([]);
    expect(await store.sessions.endOnDevice('unit-phone-4', at(3), 'replaced')).toEqual([]);
    expect(await store.sessions.sweep(at(5))).toBe(1);
    const two = await store.sessions.listOf('p-two', { includeEnded: true });
    expect(two.find((s) => s.id === 'd')).toMatchObject({ endReason: 'idle', endedAt: at(1) });
    expect(two.find((s) => s.id === 'c')?.endedAt).toBeNull();
  });

  it('accepts a key once until it expires', async () => {
    expect(await store.sessions.useOnce('saml:_abc', at(5), at(0))).toBe(true);
    expect(await store.sessions.useOnce('saml:_abc', at(5), at(1))).toBe(false);
    expect(await store.sessions.useOnce('saml:_abc', at(10), at(6))).toBe(true);
  });

  it('hands a shared device from one person to the next', async () => {
    const login = (personId: string, minutes: number) => ({
      device: 'unit-phone-4',
      personId,
      source: 'badge',
      since: at(minutes),
    });
    expect(await store.devices.handOver(login('p-one', 0))).toBeNull();
    expect(await store.devices.handOver(login('p-one', 1))).toBeNull();
    expect(await store.devices.handOver(login('p-two', 2))).toMatchObject({ personId: 'p-one' });
    expect(await store.devices.devicesOf('p-two')).toEqual([login('p-two', 2)]);
    expect(await store.devices.release('unit-phone-4')).toMatchObject({ personId: 'p-two' });
    expect(await store.devices.holder('unit-phone-4')).toBeUndefined();
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
