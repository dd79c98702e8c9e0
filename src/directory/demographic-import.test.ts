import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/port.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { DemographicImport } from './demographic-import.ts';
import { readDemographicImport } from './demographic-settings.ts';

/** The directory's crosswalk: custom2 X9 is (wrongly) on two people. */
const crosswalk: Record<string, Record<string, string[]>> = {
  uniqueId: { U1: ['p-ahmed'], U2: ['p-baker'], U3: ['p-chen'] },
  custom2: { X9: ['p-ahmed', 'p-chen'] },
};
const findPeople = (kind: string, value: string) => crosswalk[kind]?.[value] ?? [];

describe('demographic import into the directory overlay', () => {
  let dir: string;
  let drops: string;
  let store: Store;
  let clock: Date;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-demographics-'));
    drops = join(dir, 'contacts');
    mkdirSync(drops);
    store = openSqliteStore(join(dir, 'data'));
    // Ahead of the files' real modification times, so every file written here has settled.
    clock = new Date('2030-12-07T06:00:00Z');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function importer(extra: Record<string, unknown> = {}) {
    const problems: string[] = [];
    const settings = readDemographicImport(
      {
        id: 'hr-contacts',
        folder: drops,
        settleSeconds: 0,
        key: { column: 'unique_id', match: 'uniqueId' },
        contacts: [
          { column: 'pager', kind: 'pager', carrier: 'spok' },
          { column: 'mobile', kind: 'phone', label: 'work cell' },
          { column: 'email', kind: 'email' },
          { column: 'sip', kind: 'sip' },
        ],
        ...extra,
      },
      (k, m) => problems.push(`${k}: ${m}`),
    );
    expect(problems).toEqual([]);
    return new DemographicImport(settings!, {
      overlay: store.directory,
      findPeople,
      configDir: dir,
      now: () => clock,
    });
  }

  const contactsOf = async (personId: string) =>
    (await store.directory.contacts(personId)).map(
      (c) =>
        `${c.kind} ${c.address}${c.label ? ` (${c.label})` : ''}${c.carrier ? ` via ${c.carrier}` : ''} from ${c.origin.source} at ${c.origin.at.toISOString()}`,
    );

  it('updates contact points by uniqueId with where they came from, reporting rows it cannot place', async () => {
    writeFileSync(
      join(drops, 'contacts-1.csv'),
      [
        'unique_id,name,pager,mobile,email,sip',
        'U1,Ahmed,555-0101,+1 617 555 0111,ahmed@example.org,sip:ahmed@pbx.example.org',
        'U2,Baker,555-0102,,,',
        'U404,Nobody,555-0199,,,',
        'U3,Chen,not-a-pager,,,',
        ',Blank,555-0100,,,',
      ].join('\n'),
    );
    const first = await importer().runOnce();
    expect(first).toMatchObject({
      file: 'contacts-1.csv',
      status: 'applied',
      updated: ['p-ahmed', 'p-baker'],
      unchanged: 0,
    });
    expect(first.reported.map((r) => [r.line, r.reason, r.message])).toEqual([
      [4, 'nobody', 'uniqueId U404 names nobody in the directory'],
      [5, 'invalid', 'pager "not-a-pager" is not a pager number (digits)'],
      [6, 'invalid', 'no unique_id: the row names nobody'],
    ]);
    expect(await contactsOf('p-ahmed')).toEqual([
      'pager 555-0101 via spok from import:hr-contacts at 2030-12-07T06:00:00.000Z',
      'phone +1 617 555 0111 (work cell) from import:hr-contacts at 2030-12-07T06:00:00.000Z',
      'email ahmed@example.org from import:hr-contacts at 2030-12-07T06:00:00.000Z',
      'sip sip:ahmed@pbx.example.org from import:hr-contacts at 2030-12-07T06:00:00.000Z',
    ]);
    expect(await contactsOf('p-chen')).toEqual([]);
    expect(readdirSync(drops)).toEqual(['processed']);

    // Another writer's contact points (SCIM) are left alone; the next file replaces only this import's.
    await store.directory.replaceContacts('p-baker', [{ kind: 'app', address: 'baker' }], {
      source: 'scim:entra',
      at: clock,
    });
    clock = new Date('2030-12-08T06:00:00Z');
    writeFileSync(
      join(drops, 'contacts-2.csv'),
      'unique_id,name,pager,mobile,email,sip\nU1,Ahmed,555-0101,+1 617 555 0111,ahmed@example.org,sip:ahmed@pbx.example.org\nU2,Baker,555-0202,,baker@example.org,\n',
    );
    const second = await importer().runOnce();
    expect(second).toMatchObject({ status: 'applied', updated: ['p-baker'], unchanged: 1, reported: [] });
    expect(await contactsOf('p-baker')).toEqual([
      'app baker from scim:entra at 2030-12-07T06:00:00.000Z',
      'pager 555-0202 via spok from import:hr-contacts at 2030-12-08T06:00:00.000Z',
      'email baker@example.org from import:hr-contacts at 2030-12-08T06:00:00.000Z',
    ]);
    // Unchanged rows keep the time their values arrived.
    expect((await contactsOf('p-ahmed'))[0]).toMatch(/at 2030-12-07T06:00:00.000Z$/);
    expect(await importer().runOnce()).toMatchObject({ file: null, status: 'nothing' });
  });

  it('keyed on custom2: a value on two people, and a person on two rows, are reported and not applied', async () => {
    crosswalk.custom2.X1 = ['p-baker'];
    writeFileSync(join(drops, 'c.csv'), 'badge,pager\nX9,555-0001\nX1,555-0002\nX1,555-0003\n');
    const outcome = await importer({
      key: { column: 'badge', match: 'custom2' },
      contacts: [{ column: 'pager', kind: 'pager' }],
    }).runOnce();
    expect(outcome.updated).toEqual([]);
    expect(outcome.reported.map((r) => [r.line, r.reason, r.personIds])).toEqual([
      [2, 'two-people', ['p-ahmed', 'p-chen']],
      [3, 'repeated', ['p-baker']],
      [4, 'repeated', ['p-baker']],
    ]);
    expect(await store.directory.contacts()).toEqual([]);
  });

  it('rejects a cut-off file, changing nothing, with the reason beside it', async () => {
    writeFileSync(join(drops, 'cut.csv'), 'unique_id,pager,mobile,email,sip\nU1,555-0101,,,\nU2,555-01');
    const outcome = await importer().runOnce();
    expect(outcome.status).toBe('rejected');
    expect(outcome.problems).toEqual(['line 3: has 2 fields; the header has 5 (a file cut off?)']);
    expect(await store.directory.contacts()).toEqual([]);
    const rejected = readdirSync(join(drops, 'rejected')).sort();
    expect(readFileSync(join(drops, 'rejected', rejected[1]), 'utf8')).toMatch(/line 3: has 2 fields/);
  });

  it('reports every bad setting at once', () => {
    const problems: string[] = [];
    const read = readDemographicImport(
      {
        id: 'HR',
        folder: 'x',
        key: { column: 'id', match: 'npi' },
        contacts: [{ column: 'p', kind: 'fax' }, { kind: 'pager' }],
      },
      (k, m) => problems.push(`${k}: ${m}`),
    );
    expect(read).toBeUndefined();
    expect(problems).toEqual([
      'id: must be lower-case letters, digits and dashes',
      'key.match: must be one of: uniqueId, custom1, custom2, custom3, custom4',
      'contacts.0.kind: must be one of: app, pager, phone, sip, email',
      'contacts.1.column: is required',
    ]);
  });
});
