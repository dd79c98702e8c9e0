import type { Origin, OverlayGroup, OverlayPerson } from '../directory-port.ts';

/** Directory overlay rows as both stores keep them (migration 011), and how they read back. */
export interface PersonRow {
  id: string;
  name: string | null;
  title: string | null;
  department: string | null;
  ids: string;
  attributes: string;
  /** SQLite keeps 0/1, PostgreSQL a boolean. */
  active: number | boolean;
  key_source: string | null;
  external_key: string | null;
  provenance: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface GroupRow {
  id: string;
  name: string;
  key_source: string | null;
  external_key: string | null;
  roles: string;
  members: string;
  attributes: string;
  source: string;
  at: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ContactRow {
  person_id: string;
  kind: string;
  address: string;
  label: string | null;
  carrier: string | null;
  source: string;
  at: number;
}

export function blankPerson(id: string, at: Date): OverlayPerson {
  return {
    id,
    name: null,
    title: null,
    department: null,
    ids: {},
    attributes: {},
    active: true,
    externalKey: null,
    provenance: {},
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
}

export function blankGroup(id: string, origin: Origin): OverlayGroup {
  return {
    id,
    name: id,
    externalKey: null,
    roles: [],
    members: [],
    attributes: {},
    origin,
    version: 0,
    createdAt: origin.at,
    updatedAt: origin.at,
  };
}

export function toPerson(r: PersonRow): OverlayPerson {
  const provenance = JSON.parse(r.provenance) as Record<string, { source: string; at: number }>;
  return {
    id: r.id,
    name: r.name,
    title: r.title,
    department: r.department,
    ids: JSON.parse(r.ids),
    attributes: JSON.parse(r.attributes),
    active: Boolean(r.active),
    externalKey:
      r.key_source !== null && r.external_key !== null ? { source: r.key_source, key: r.external_key } : null,
    provenance: Object.fromEntries(
      Object.entries(provenance).map(([k, o]) => [k, { source: o.source, at: new Date(o.at) }]),
    ),
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export function toGroup(r: GroupRow): OverlayGroup {
  return {
    id: r.id,
    name: r.name,
    externalKey:
      r.key_source !== null && r.external_key !== null ? { source: r.key_source, key: r.external_key } : null,
    roles: JSON.parse(r.roles),
    members: JSON.parse(r.members),
    attributes: JSON.parse(r.attributes),
    origin: { source: r.source, at: new Date(r.at) },
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}
