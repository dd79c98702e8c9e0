import type { ConfigProblem } from '../kit/config-errors.ts';
import { readYamlDir } from '../kit/yaml-files.ts';
import type { IdentityConfig } from './identity-schema.ts';

/** What each part needs once it is enabled (the schema fills defaults; these have none). */
const NEEDS: Record<'oidc' | 'saml' | 'ldap', string[]> = {
  oidc: ['issuer', 'clientId', 'redirectUri'],
  saml: ['entityId', 'acsUrl', 'idpEntityId', 'idpSsoUrl', 'idpCert'],
  ldap: ['url', 'baseDn'],
};

/**
 * Checks across the keys of `identity:` that a schema cannot say plainly: an enabled part names what it
 * needs, SCIM has a client, LDAP over plain ldap:// stays on loopback. Each problem names file and line.
 */
export function identityProblems(configDir: string, identity: IdentityConfig): ConfigProblem[] {
  const file = readYamlDir(configDir).find(
    (f) => f.value && typeof f.value === 'object' && 'identity' in (f.value as object),
  );
  const at = (path: Array<string | number>, message: string): ConfigProblem => ({
    file: file?.name ?? '(defaults)',
    line: file?.lineOf(['identity', ...path]),
    key: ['identity', ...path].join('.'),
    message,
  });
  const problems: ConfigProblem[] = [];
  for (const part of ['oidc', 'saml', 'ldap'] as const) {
    const section = identity[part] as unknown as Record<string, unknown>;
    if (!section.enabled) continue;
    for (const key of NEEDS[part])
      if (section[key] === undefined || section[key] === '')
        problems.push(at([part, 'enabled'], `needs identity.${part}.${key}`));
  }
  if (identity.scim.enabled && identity.scim.clients.length === 0)
    problems.push(at(['scim', 'enabled'], 'needs at least one client in identity.scim.clients'));
  const url = identity.ldap.url;
  if (identity.ldap.enabled && url?.startsWith('ldap://') && !/^ldap:\/\/(127\.|\[::1\]|localhost)/.test(url))
    problems.push(at(['ldap', 'url'], 'plain ldap:// sends the bind password in the clear: use ldaps://'));
  for (const part of ['oidc', 'saml'] as const)
    if (identity[part].enabled && !identity[part].defaultRole && !Object.keys(identity[part].roleMap).length)
      problems.push(
        at([part, 'roleMap'], 'grants no role to anyone: set roleMap (claim values to roles) or defaultRole'),
      );
  return problems;
}
