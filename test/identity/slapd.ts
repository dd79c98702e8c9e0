/**
 * Debian's slapd for the LDAP tests: its own temporary config (slapd -f) and database, listening on
 * loopback only (plain ldap:// and ldaps:// with the test CA's server certificate), stopped by the test.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCerts } from '../support/certs.ts';

export const SLAPD = '/usr/sbin/slapd';
export const hasSlapd = existsSync(SLAPD) && existsSync('/etc/ldap/schema/inetorgperson.schema');

export const BASE_DN = 'dc=hospital,dc=test';
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'slapd-test-secret';

export interface TestSlapd {
  url: string;
  ldapsUrl: string;
  /** Adds or changes entries with ldapmodify (LDIF text, `changetype` lines included). */
  modify(ldif: string): void;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function startSlapd(certs: TestCerts, entries: string): Promise<TestSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-slapd-'));
  mkdirSync(join(dir, 'db'));
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${join(dir, 'slapd.pid')}
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile ${certs.caFile}
TLSCertificateFile ${certs.certFile}
TLSCertificateKeyFile ${certs.keyFile}
database mdb
maxsize 10485760
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PASSWORD}
directory ${join(dir, 'db')}
`,
  );
  const port = await freePort();
  const tlsPort = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  // -d 0: stay in the foreground (so the test owns the process) and log nothing.
  const child: ChildProcess = spawn(SLAPD, ['-f', conf, '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const ldap = (tool: string, ldif: string) =>
    execFileSync(tool, ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD], {
      input: ldif,
      stdio: 'pipe',
    });
  // Wait until it answers (a fresh mdb database takes a moment).
  for (let i = 0; ; i++) {
    try {
      execFileSync('ldapsearch', ['-x', '-H', url, '-b', '', '-s', 'base'], { stdio: 'pipe' });
      break;
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error(`slapd did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  ldap(
    'ldapadd',
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Hospital\ndc: hospital\n\ndn: ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: people\n\n${entries}`,
  );
  return {
    url,
    ldapsUrl,
    modify: (ldif) => {
      ldap('ldapmodify', ldif);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
