/**
 * The options of single sign-on and SCIM as the API reads them (validated and defaulted by
 * src/config/identity-schema.ts, which imports these: the config layer sits above the API).
 */

export type RoleName = 'clinician' | 'analyst' | 'admin';

interface RoleMapping {
  roleMap: Record<string, RoleName>;
  defaultRole?: RoleName;
}

export interface OidcOptions extends RoleMapping {
  enabled: boolean;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  scopes: string[];
  rolesClaim: string;
  match: Array<{ claim: string; id: string }>;
  clockToleranceSeconds: number;
  afterSignIn: string;
}

export interface SamlOptions extends RoleMapping {
  enabled: boolean;
  entityId?: string;
  acsUrl?: string;
  idpEntityId?: string;
  idpSsoUrl?: string;
  idpCert?: string;
  allowIdpInitiated: boolean;
  rolesAttribute: string;
  nameIdAs: string;
  match: Array<{ attribute: string; id: string }>;
  clockToleranceSeconds: number;
  afterSignIn: string;
}

export interface ScimOptions {
  enabled: boolean;
  clients: Array<{ name: string; tokenSha256: string }>;
  groupRoles: Record<string, RoleName>;
}
