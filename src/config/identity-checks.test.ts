import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../kit/config-errors.ts';
import { identityProblems } from './identity-checks.ts';
import { loadConfig } from './load.ts';

describe('identity config checks', () => {
  it('names file, line and key for an enabled part missing what it needs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-identity-config-'));
    try {
      writeFileSync(join(dir, 'switchboard.yaml'), 'site:\n  name: T\n  timezone: America/New_York\n');
      writeFileSync(
        join(dir, 'identity.yaml'),
        'identity:\n  oidc:\n    enabled: true\n    clientId: sb\n    roleMap: { nurses: clinician }\n  scim:\n    enabled: true\n  ldap:\n    enabled: true\n    url: ldap://dc1.hospital.org\n    baseDn: dc=h\n',
      );
      const problems = identityProblems(dir, loadConfig(dir, {}).identity).map(formatProblem);
      expect(problems).toEqual([
        '  identity.yaml:3: identity.oidc.enabled: needs identity.oidc.issuer',
        '  identity.yaml:3: identity.oidc.enabled: needs identity.oidc.redirectUri',
        '  identity.yaml:7: identity.scim.enabled: needs at least one client in identity.scim.clients',
        '  identity.yaml:10: identity.ldap.url: plain ldap:// sends the bind password in the clear: use ldaps://',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing wrong in the demo config, where everything but local accounts is off', () => {
    expect(identityProblems('config', loadConfig('config', {}).identity)).toEqual([]);
  });
});
