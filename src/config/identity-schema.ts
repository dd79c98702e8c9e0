/**
 * `identity:` (issue 19): how people sign in and how they are provisioned. Everything but local accounts is
 * off unless configured; secrets are `${ENV}` references. docs/sign-in.md explains each part.
 */

import type { OidcOptions, RoleName, SamlOptions, ScimOptions } from '../api/identity-options.ts';

const role = { enum: ['clinician', 'analyst', 'admin'] } as const;

/** How a claim or attribute value is matched to a directory person: through the crosswalk id `id`. */
const matchList = (nameKey: 'claim' | 'attribute', defaults: Array<Record<string, string>>) =>
  ({
    type: 'array',
    default: defaults,
    items: {
      type: 'object',
      additionalProperties: false,
      required: [nameKey, 'id'],
      properties: {
        [nameKey]: { type: 'string', minLength: 1 },
        /** A crosswalk kind (upn, employeeId, npi, …) or `id` for our own person id. */
        id: { type: 'string', minLength: 1 },
      },
    },
  }) as const;

const roleMapping = {
  /** Claim values (group or role names, or group object ids) and the role each grants. */
  roleMap: { type: 'object', default: {}, additionalProperties: role },
  /** The role of someone the map grants none; left out, such a sign-in is refused. */
  defaultRole: role,
} as const;

export const identitySchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Accounts of accounts.yaml with passwords; false for a site that signs in only through its IdP. */
    localAccounts: { type: 'boolean', default: true },
    sessions: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        /** A session not used for this long ends (an open clinician page counts as use). */
        idleMinutes: { type: 'number', exclusiveMinimum: 0, default: 60 },
        /** A session ends this long after sign-in, used or not. */
        absoluteHours: { type: 'number', exclusiveMinimum: 0, default: 12 },
      },
    },
    oidc: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        /** The issuer URL; its /.well-known/openid-configuration is read at start. */
        issuer: { type: 'string' },
        clientId: { type: 'string' },
        /** `${ENV}`; left out for a public client (PKCE alone). */
        clientSecret: { type: 'string' },
        /** Our callback as registered with the IdP: https://…/api/sign-in/oidc/callback */
        redirectUri: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string' }, default: ['openid', 'profile', 'email'] },
        /** The ID token claim that lists roles or groups (Entra: roles or groups; Okta: groups). */
        rolesClaim: { type: 'string', default: 'roles' },
        ...roleMapping,
        match: matchList('claim', [
          { claim: 'upn', id: 'upn' },
          { claim: 'preferred_username', id: 'upn' },
          { claim: 'employeeid', id: 'employeeId' },
        ]),
        clockToleranceSeconds: { type: 'integer', minimum: 0, maximum: 300, default: 30 },
        /** Where the browser goes after sign-in (the clinician page reads the session from the fragment). */
        afterSignIn: { type: 'string', default: '/' },
      },
    },
    saml: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        /** Our entity id (the audience assertions must name). */
        entityId: { type: 'string' },
        /** Our assertion consumer service: https://…/api/sign-in/saml/acs (the recipient assertions name). */
        acsUrl: { type: 'string' },
        /** The IdP's entity id (the issuer assertions must name). */
        idpEntityId: { type: 'string' },
        /** Where the browser is sent to sign in (HTTP-Redirect binding). */
        idpSsoUrl: { type: 'string' },
        /** The IdP's signing certificate (PEM, or a file path relative to the config folder). */
        idpCert: { type: 'string' },
        /** Accept a response that answers no request of ours. Off: it is how a login CSRF gets in. */
        allowIdpInitiated: { type: 'boolean', default: false },
        rolesAttribute: {
          type: 'string',
          default: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
        },
        ...roleMapping,
        /** The NameID is matched as this crosswalk kind, after the attributes below. */
        nameIdAs: { type: 'string', default: 'upn' },
        match: matchList('attribute', [
          { attribute: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', id: 'upn' },
          { attribute: 'employeeID', id: 'employeeId' },
        ]),
        clockToleranceSeconds: { type: 'integer', minimum: 0, maximum: 300, default: 30 },
        afterSignIn: { type: 'string', default: '/' },
      },
    },
    scim: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        /** Each provisioning client with the SHA-256 (hex) of its bearer token: the token is never kept. */
        clients: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'tokenSha256'],
            properties: {
              name: { type: 'string', pattern: '^[a-z0-9-]+$' },
              tokenSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            },
          },
        },
        /** SCIM group display names and the role membership grants at sign-in. */
        groupRoles: { type: 'object', default: {}, additionalProperties: role },
      },
    },
    ldap: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        /** The source name values are recorded under (`ldap:<name>`). */
        name: { type: 'string', default: 'directory' },
        /** ldaps://dc1.hospital.org:636 or ldap://… (plain only on loopback). */
        url: { type: 'string' },
        /** The CA that signed the server's certificate (PEM file, relative to the config folder): pinned. */
        caFile: { type: 'string' },
        bindDn: { type: 'string' },
        /** `${ENV}` */
        bindPassword: { type: 'string' },
        baseDn: { type: 'string' },
        filter: { type: 'string', default: '(objectClass=person)' },
        pageSize: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
        everyMinutes: { type: 'number', exclusiveMinimum: 0, default: 60 },
        /**
         * Directory fields and the LDAP attribute each is read from: key (the entry's stable key), id (our
         * person id; left out, made from the key), name, title, department, any crosswalk kind (upn,
         * employeeId, npi, …), and the contact kinds email, phone, pager.
         */
        attributes: {
          type: 'object',
          default: {
            key: 'entryUUID',
            name: 'displayName',
            title: 'title',
            department: 'departmentNumber',
            employeeId: 'employeeNumber',
            upn: 'mail',
            email: 'mail',
            phone: 'telephoneNumber',
            pager: 'pager',
          },
          additionalProperties: { type: 'string' },
        },
        /** An entry matching this (LDAP filter, e.g. AD's disabled bit) is deactivated. */
        disabledFilter: { type: 'string' },
        /** Never deactivate more than this share of the people it manages in one run (a bad filter). */
        maxDeactivateShare: { type: 'number', minimum: 0, maximum: 1, default: 0.2 },
      },
    },
  },
} as const;

export type { RoleName };
export type OidcConfig = OidcOptions;
export type SamlConfig = SamlOptions;
export type ScimConfig = ScimOptions;

export interface LdapConfig {
  enabled: boolean;
  name: string;
  url?: string;
  caFile?: string;
  bindDn?: string;
  bindPassword?: string;
  baseDn?: string;
  filter: string;
  pageSize: number;
  everyMinutes: number;
  attributes: Record<string, string>;
  disabledFilter?: string;
  maxDeactivateShare: number;
}

export interface IdentityConfig {
  localAccounts: boolean;
  sessions: { idleMinutes: number; absoluteHours: number };
  oidc: OidcConfig;
  saml: SamlConfig;
  scim: ScimConfig;
  ldap: LdapConfig;
}
