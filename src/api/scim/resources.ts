/**
 * SCIM Users and Groups (RFC 7643) as the directory overlay keeps them. The resource a client sent is kept
 * as it was sent (in the overlay person's `attributes.scim`), so it is answered back unchanged; the
 * directory's fields are read from it: userName is the person's UPN, the enterprise extension's
 * employeeNumber their employeeId, emails and phoneNumbers their contact points (a phone of type
 * "pager" is a pager), `active` whether they are routed to.
 */
import type { OverlayContact, OverlayGroup, OverlayPerson } from '../../store/directory-port.ts';
import { field, valuesAt } from './filter.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Json = Record<string, unknown>;

export interface UserFields {
  userName: string;
  name: string;
  title: string | null;
  department: string | null;
  employeeId: string | null;
  active: boolean;
  contacts: OverlayContact[];
}

/** What the directory takes from a SCIM user; throws a message for a user it cannot take. */
export function readUser(resource: Json): UserFields {
  const userName = field(resource, 'userName');
  if (typeof userName !== 'string' || !userName.trim()) throw new Error('userName is required');
  const name = field(resource, 'name');
  const given = [field(name, 'givenName'), field(name, 'familyName')].filter((v) => typeof v === 'string');
  const display =
    str(field(resource, 'displayName')) ?? str(field(name, 'formatted')) ?? (given.join(' ') || userName);
  const contacts: OverlayContact[] = [];
  for (const e of list(field(resource, 'emails'))) {
    const address = str(field(e, 'value'));
    if (address) contacts.push({ kind: 'email', address, ...label(field(e, 'type')) });
  }
  for (const p of list(field(resource, 'phoneNumbers'))) {
    const address = str(field(p, 'value'));
    const type = str(field(p, 'type'));
    if (address)
      contacts.push({ kind: type?.toLowerCase() === 'pager' ? 'pager' : 'phone', address, ...label(type) });
  }
  return {
    userName: userName.trim(),
    name: display,
    title: str(field(resource, 'title')),
    department: str(valuesAt(resource, `${ENTERPRISE}:department`)[0]),
    employeeId: str(valuesAt(resource, `${ENTERPRISE}:employeeNumber`)[0]),
    active: truthy(field(resource, 'active')),
    contacts,
  };
}

/** The user as SCIM answers it: the stored resource with id and meta. */
export function userView(p: OverlayPerson, location: string): Json {
  const stored = (p.attributes.scim as Json | undefined) ?? {};
  return {
    ...stored,
    schemas: schemasOf(stored, USER_SCHEMA),
    id: p.id,
    active: p.active,
    meta: meta('User', p.createdAt, p.updatedAt, p.version, location),
  };
}

export function groupView(
  g: OverlayGroup,
  location: string,
  nameOf: (id: string) => string | undefined,
): Json {
  const stored = (g.attributes.scim as Json | undefined) ?? {};
  return {
    ...stored,
    schemas: [GROUP_SCHEMA],
    id: g.id,
    displayName: g.name,
    members: g.members.map((id) => ({ value: id, display: nameOf(id) ?? id, type: 'User' })),
    meta: meta('Group', g.createdAt, g.updatedAt, g.version, location),
  };
}

/** The member person ids a group resource names (members[].value). */
export function memberIds(resource: Json): string[] {
  return list(field(resource, 'members'))
    .map((m) => str(field(m, 'value')))
    .filter((v): v is string => v !== null);
}

export function etag(version: number): string {
  return `W/"${version}"`;
}

function meta(resourceType: string, created: Date, modified: Date, version: number, location: string) {
  return {
    resourceType,
    created: created.toISOString(),
    lastModified: modified.toISOString(),
    location,
    version: etag(version),
  };
}

function schemasOf(stored: Json, core: string): string[] {
  const given = field(stored, 'schemas');
  const schemas = new Set(Array.isArray(given) ? given.map(String) : []);
  schemas.add(core);
  return [...schemas];
}

/** SCIM booleans as Entra sends them too ("True", "False"); absent is active. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim().toLowerCase() !== 'false';
  return value !== false;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function label(type: unknown): { label?: string } {
  return typeof type === 'string' && type ? { label: type } : {};
}
