/**
 * LDAP sync against Debian's slapd started by the test (its own config, loopback ports): a paged search
 * over LDAPS with the CA pinned creates, updates, deactivates and reactivates overlay people; a
 * certificate from another CA is refused; a dry run (also through `switchboard ldap-sync --dry-run`)
 * prints the changes and writes nothing; a run that would deactivate too many applies nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/directory/directory.ts';
import { describePlan, type LdapOptions, LdapSync } from '../../src/directory/ldap-sync.ts';
import { loadDirectory } from '../../src/directory/load.ts';
import { DirectoryOverlay } from '../../src/directory/overlay.ts';
import type { Store } from '../../src/store/port.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { makeTestCerts, type TestCerts } from '../support/certs.ts';
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, hasSlapd, startSlapd, type TestSlapd } from './slapd.ts';

const person = (uid: string, name: string, extra = '') => `dn: uid=${uid},ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${name}
sn: ${name.split(' ').at(-1)}
displayName: ${name}
mail: ${uid}@hospital.test
${extra}
`;

const ENTRIES = [
  person('kim', 'Nurse Kim', 'employeeNumber: E100\ntitle: RN\ntelephoneNumber: +1 617 555 0100'),
  person('ana', 'Ana Diaz', 'employeeNumber: E200'),
  person('bo', 'Bo Chen', 'employeeNumber: E300'),
  person('cy', 'Cy Park', 'employeeNumber: E400'),
  person('di', 'Di Moss', 'employeeNumber: E500\npager: 617-555-0150'),
].join('\n');

let certs: TestCerts;
let slapd: TestSlapd;
let dir: string;
let store: Store;
let directory: Directory;
let overlay: DirectoryOverlay;
const deactivated: string[] = [];

const DIRECTORY = `directory:
  people:
    - { id: p-kim, name: Kim (config), ids: { upn: kim@hospital.test }, contacts: [{ kind: app, address: rn.kim }] }
  groups: []
`;

beforeAll(async () => {
  if (!hasSlapd) return;
  certs = makeTestCerts();
  slapd = await startSlapd(certs, ENTRIES);
  dir = mkdtempSync(join(tmpdir(), 'sb-ldap-'));
  writeFileSync(join(dir, 'directory.yaml'), DIRECTORY);
  directory = loadDirectory(dir).value;
  store = openSqliteStore(join(dir, 'data'));
  overlay = new DirectoryOverlay({
    store: store.directory,
    base: () => loadDirectory(dir).value,
    onChange: (d) => (directory = d),
  });
  await overlay.refresh();
}, 30_000);

afterAll(async () => {
  await store?.close();
  await slapd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

function options(over: Partial<LdapOptions> = {}): LdapOptions {
  return {
    enabled: true,
    name: 'corp',
    url: slapd.ldapsUrl,
    ca: readFileSync(certs.caFile, 'utf8'),
    bindDn: ADMIN_DN,
    bindPassword: ADMIN_PASSWORD,
    baseDn: `ou=people,${BASE_DN}`,
    filter: '(objectClass=inetOrgPerson)',
    pageSize: 2, // five people: three pages
    everyMinutes: 60,
    attributes: {
      key: 'entryUUID',
      name: 'displayName',
      title: 'title',
      employeeId: 'employeeNumber',
      upn: 'mail',
      email: 'mail',
      phone: 'telephoneNumber',
      pager: 'pager',
    },
    disabledFilter: '(description=disabled)',
    maxDeactivateShare: 0.4,
    ...over,
  };
}

function sync(over: Partial<LdapOptions> = {}) {
  return new LdapSync({
    options: options(over),
    store: store.directory,
    directory: () => directory,
    deactivated: async (id) => {
      deactivated.push(id);
    },
    changed: async () => {
      await overlay.refresh();
    },
    now: () => new Date(),
  });
}

describe.skipIf(!hasSlapd)('LDAP sync against slapd', () => {
  it('a dry run lists the people it would create and writes nothing', async () => {
    const plan = await sync().run({ dryRun: true });
    expect(plan.entries).toBe(5);
    expect(plan.create.map((c) => c.name).sort()).toEqual([
      'Ana Diaz',
      'Bo Chen',
      'Cy Park',
      'Di Moss',
      'Nurse Kim',
    ]);
    expect(describePlan(plan)).toMatch(/^5 entries read\ncreate /);
    expect(await store.directory.people()).toEqual([]);
  });

  it('creates people over LDAPS with the CA pinned, taking over the config person with the same UPN', async () => {
    await sync().run();
    const kim = directory.person('p-kim');
    expect(kim).toMatchObject({
      name: 'Nurse Kim',
      title: 'RN',
      ids: { upn: 'kim@hospital.test', employeeId: 'E100' },
    });
    expect(kim?.contacts.map((c) => `${c.kind} ${c.address}`)).toEqual([
      'app rn.kim',
      'email kim@hospital.test',
      'phone +1 617 555 0100',
    ]);
    expect(directory.findByExternalId('employeeId', 'E500')?.name).toBe('Di Moss');
    expect(directory.findByPagerNumber('617-555-0150').people.map((p) => p.name)).toEqual(['Di Moss']);
    expect((await sync().run({ dryRun: true })).update).toEqual([]); // a second look finds nothing to do
  });

  it('refuses a server certificate from another CA', async () => {
    const other = makeTestCerts();
    try {
      await expect(sync({ ca: readFileSync(other.caFile, 'utf8') }).run({ dryRun: true })).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
  });

  it('updates changed attributes, deactivates a disabled or removed entry, and reactivates it when it returns', async () => {
    slapd.modify(
      `dn: uid=ana,ou=people,${BASE_DN}\nchangetype: modify\nreplace: title\ntitle: Charge Nurse\n`,
    );
    slapd.modify(
      `dn: uid=bo,ou=people,${BASE_DN}\nchangetype: modify\nadd: description\ndescription: disabled\n`,
    );
    slapd.modify(`dn: uid=cy,ou=people,${BASE_DN}\nchangetype: delete\n`);
    const dry = await sync().run({ dryRun: true });
    expect(describePlan(dry)).toContain('title: (none) → Charge Nurse');
    expect(dry.deactivate.map((d) => `${d.name}: ${d.why}`).sort()).toEqual([
      'Bo Chen: disabled in the directory server',
      'Cy Park: no longer found by the search',
    ]);
    await sync().run();
    const bo = directory.findByExternalId('employeeId', 'E300');
    expect(bo).toBeUndefined();
    expect(deactivated).toHaveLength(2);
    const boId = deactivated[0] as string;
    expect(directory.isReachable(boId)).toBe(false);

    slapd.modify(`dn: uid=bo,ou=people,${BASE_DN}\nchangetype: modify\ndelete: description\n`);
    const back = await sync().run();
    expect(back.reactivate.map((r) => r.name)).toEqual(['Bo Chen']);
    expect(directory.findByExternalId('employeeId', 'E300')?.name).toBe('Bo Chen');
  });

  it('applies nothing when a run would deactivate too many (a wrong filter)', async () => {
    const plan = await sync({ filter: '(uid=nobody-matches)' }).run();
    expect(plan.refused).toMatch(/would deactivate 4 of 4 people/);
    expect(directory.findByExternalId('employeeId', 'E100')?.name).toBe('Nurse Kim');
  });

  it('switchboard ldap-sync --dry-run prints the changes', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'sb-ldap-cli-'));
    try {
      writeFileSync(join(configDir, 'directory.yaml'), DIRECTORY);
      writeFileSync(
        join(configDir, 'switchboard.yaml'),
        `site:\n  name: Test\n  timezone: America/New_York\nhttp:\n  enabled: false\nlisteners:\n  mllp:\n    enabled: false\n`,
      );
      writeFileSync(join(configDir, 'ca.pem'), readFileSync(certs.caFile));
      writeFileSync(
        join(configDir, 'identity.yaml'),
        `identity:\n  ldap:\n    enabled: true\n    name: corp\n    url: ${slapd.ldapsUrl}\n    caFile: ca.pem\n    bindDn: "${ADMIN_DN}"\n    bindPassword: "\${LDAP_TEST_PASSWORD}"\n    baseDn: "ou=people,${BASE_DN}"\n    filter: "(objectClass=inetOrgPerson)"\n`,
      );
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          join(process.cwd(), 'bin/switchboard.js'),
          'ldap-sync',
          '--dry-run',
          '--config',
          configDir,
          '--data',
          join(configDir, 'data'),
        ],
        { env: { ...process.env, LDAP_TEST_PASSWORD: ADMIN_PASSWORD } },
      ).catch((err) => ({ stdout: `${err.stdout}\n${err.stderr}` }));
      expect(stdout).toMatch(/^dry run: nothing written\n4 entries read\n/);
      expect(stdout).toMatch(/create p-kim Nurse Kim/);
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
