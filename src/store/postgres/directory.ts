import type {
  DirectoryOverlayStore,
  Origin,
  OverlayContact,
  OverlayContactRecord,
  OverlayGroup,
  OverlayGroupFields,
  OverlayPerson,
  OverlayPersonFields,
} from '../directory-port.ts';
import {
  blankGroup,
  blankPerson,
  type ContactRow,
  type GroupRow,
  type PersonRow,
  toGroup,
  toPerson,
} from '../rows/directory.ts';
import { inTransaction, type PgClient, type PgPool, type WritesInFlight } from './database.ts';

type Queryable = Pick<PgClient, 'query'>;

/**
 * The directory overlay in PostgreSQL. Every write takes one transaction-level lock on the overlay, so
 * the read-modify-write of a person or group and the contact numbering stay whole when two instances
 * import at once, and bumps the overlay's revision in the same transaction.
 */
export class PostgresDirectoryOverlay implements DirectoryOverlayStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  private change<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
    return this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('switchboard directory overlay'))");
        return fn(client);
      }),
    );
  }

  savePerson(
    id: string,
    fields: OverlayPersonFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayPerson> {
    return this.change(async (client) => {
      const before = await personRow(client, id);
      const p: OverlayPerson = before ? toPerson(before) : blankPerson(id, origin.at);
      const stamp = (field: string) => {
        p.provenance[field] = origin;
      };
      for (const field of ['name', 'title', 'department'] as const) {
        const value = fields[field];
        if (value === undefined) continue;
        if (field === 'name') p.name = value;
        else p[field] = value;
        stamp(field);
      }
      for (const [kind, value] of Object.entries(fields.ids ?? {})) {
        if (value === null) delete p.ids[kind];
        else p.ids[kind] = value;
        stamp(`ids.${kind}`);
      }
      if (fields.attributes !== undefined) {
        p.attributes = fields.attributes;
        stamp('attributes');
      }
      if (externalKey && !p.externalKey) p.externalKey = externalKey;
      await writePerson(client, p, origin.at, !before);
      return p;
    });
  }

  setActive(id: string, active: boolean, origin: Origin): Promise<OverlayPerson> {
    return this.change(async (client) => {
      const before = await personRow(client, id);
      const p = before ? toPerson(before) : blankPerson(id, origin.at);
      p.active = active;
      p.provenance.active = origin;
      await writePerson(client, p, origin.at, !before);
      return p;
    });
  }

  removePerson(id: string): Promise<boolean> {
    return this.change(async (client) => {
      const gone =
        ((await client.query('DELETE FROM directory_people WHERE id = $1', [id])).rowCount ?? 0) > 0;
      const contacts = (await client.query('DELETE FROM directory_contacts WHERE person_id = $1', [id]))
        .rowCount;
      if (gone || contacts) await bump(client);
      return gone;
    });
  }

  async person(id: string): Promise<OverlayPerson | undefined> {
    const row = await personRow(this.pool, id);
    return row ? toPerson(row) : undefined;
  }

  async personByExternalKey(source: string, key: string): Promise<OverlayPerson | undefined> {
    const { rows } = await this.pool.query<PersonRow>(
      'SELECT * FROM directory_people WHERE key_source = $1 AND external_key = $2',
      [source, key],
    );
    return rows[0] ? toPerson(rows[0]) : undefined;
  }

  async people(): Promise<OverlayPerson[]> {
    const { rows } = await this.pool.query<PersonRow>(
      'SELECT * FROM directory_people ORDER BY id COLLATE "C"',
    );
    return rows.map(toPerson);
  }

  replaceContacts(
    personId: string,
    contacts: OverlayContact[],
    origin: Origin,
  ): Promise<OverlayContactRecord[]> {
    return this.change(async (client) => {
      await client.query('DELETE FROM directory_contacts WHERE person_id = $1 AND source = $2', [
        personId,
        origin.source,
      ]);
      const { rows } = await client.query<{ seq: number }>(
        'SELECT COALESCE(MAX(seq), 0)::bigint AS seq FROM directory_contacts',
      );
      let seq = rows[0].seq;
      for (const c of contacts)
        await client.query(
          `INSERT INTO directory_contacts (seq, person_id, kind, address, label, carrier, source, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            ++seq,
            personId,
            c.kind,
            c.address,
            c.label ?? null,
            c.carrier ?? null,
            origin.source,
            origin.at.getTime(),
          ],
        );
      await bump(client);
      return contactRows(client, personId);
    });
  }

  contacts(personId?: string): Promise<OverlayContactRecord[]> {
    return contactRows(this.pool, personId);
  }

  saveGroup(
    id: string,
    fields: OverlayGroupFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayGroup> {
    return this.change(async (client) => {
      const before = await groupRow(client, id);
      const g: OverlayGroup = before ? toGroup(before) : blankGroup(id, origin);
      if (fields.name !== undefined) g.name = fields.name;
      if (fields.roles !== undefined) g.roles = fields.roles;
      if (fields.attributes !== undefined) g.attributes = fields.attributes;
      if (externalKey && !g.externalKey) g.externalKey = externalKey;
      g.origin = origin;
      await writeGroup(client, g, origin.at, !before);
      return g;
    });
  }

  setMembers(groupId: string, members: string[], origin: Origin): Promise<OverlayGroup> {
    return this.change(async (client) => {
      const before = await groupRow(client, groupId);
      const g = before ? toGroup(before) : blankGroup(groupId, origin);
      g.members = [...new Set(members)];
      g.origin = origin;
      await writeGroup(client, g, origin.at, !before);
      return g;
    });
  }

  removeGroup(id: string): Promise<boolean> {
    return this.change(async (client) => {
      const gone =
        ((await client.query('DELETE FROM directory_groups WHERE id = $1', [id])).rowCount ?? 0) > 0;
      if (gone) await bump(client);
      return gone;
    });
  }

  async group(id: string): Promise<OverlayGroup | undefined> {
    const row = await groupRow(this.pool, id);
    return row ? toGroup(row) : undefined;
  }

  async groupByExternalKey(source: string, key: string): Promise<OverlayGroup | undefined> {
    const { rows } = await this.pool.query<GroupRow>(
      'SELECT * FROM directory_groups WHERE key_source = $1 AND external_key = $2',
      [source, key],
    );
    return rows[0] ? toGroup(rows[0]) : undefined;
  }

  async groups(): Promise<OverlayGroup[]> {
    const { rows } = await this.pool.query<GroupRow>(
      'SELECT * FROM directory_groups ORDER BY id COLLATE "C"',
    );
    return rows.map(toGroup);
  }

  async revision(): Promise<number> {
    const { rows } = await this.pool.query<{ revision: number }>(
      'SELECT revision FROM directory_revision WHERE id = 1',
    );
    return rows[0].revision;
  }
}

async function bump(client: Queryable): Promise<void> {
  await client.query('UPDATE directory_revision SET revision = revision + 1 WHERE id = 1');
}

async function personRow(db: Queryable, id: string): Promise<PersonRow | undefined> {
  return (await db.query<PersonRow>('SELECT * FROM directory_people WHERE id = $1', [id])).rows[0];
}

async function groupRow(db: Queryable, id: string): Promise<GroupRow | undefined> {
  return (await db.query<GroupRow>('SELECT * FROM directory_groups WHERE id = $1', [id])).rows[0];
}

async function contactRows(db: Queryable, personId?: string): Promise<OverlayContactRecord[]> {
  const { rows } =
    personId === undefined
      ? await db.query<ContactRow>('SELECT * FROM directory_contacts ORDER BY seq')
      : await db.query<ContactRow>('SELECT * FROM directory_contacts WHERE person_id = $1 ORDER BY seq', [
          personId,
        ]);
  return rows.map((r) => ({
    personId: r.person_id,
    kind: r.kind,
    address: r.address,
    ...(r.label === null ? {} : { label: r.label }),
    ...(r.carrier === null ? {} : { carrier: r.carrier }),
    origin: { source: r.source, at: new Date(r.at) },
  }));
}

async function writePerson(client: Queryable, p: OverlayPerson, at: Date, created: boolean): Promise<void> {
  p.version += 1;
  p.updatedAt = at;
  if (created) p.createdAt = at;
  await client.query(
    `INSERT INTO directory_people (id, name, title, department, ids, attributes, active, key_source,
      external_key, provenance, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, title = excluded.title,
      department = excluded.department, ids = excluded.ids, attributes = excluded.attributes,
      active = excluded.active, key_source = excluded.key_source, external_key = excluded.external_key,
      provenance = excluded.provenance, version = excluded.version, updated_at = excluded.updated_at`,
    [
      p.id,
      p.name,
      p.title,
      p.department,
      JSON.stringify(p.ids),
      JSON.stringify(p.attributes),
      p.active,
      p.externalKey?.source ?? null,
      p.externalKey?.key ?? null,
      JSON.stringify(
        Object.fromEntries(
          Object.entries(p.provenance).map(([k, o]) => [k, { source: o.source, at: o.at.getTime() }]),
        ),
      ),
      p.version,
      p.createdAt.getTime(),
      p.updatedAt.getTime(),
    ],
  );
  await bump(client);
}

async function writeGroup(client: Queryable, g: OverlayGroup, at: Date, created: boolean): Promise<void> {
  g.version += 1;
  g.updatedAt = at;
  if (created) g.createdAt = at;
  await client.query(
    `INSERT INTO directory_groups (id, name, key_source, external_key, roles, members, attributes, source,
      at, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_source = excluded.key_source,
      external_key = excluded.external_key, roles = excluded.roles, members = excluded.members,
      attributes = excluded.attributes, source = excluded.source, at = excluded.at,
      version = excluded.version, updated_at = excluded.updated_at`,
    [
      g.id,
      g.name,
      g.externalKey?.source ?? null,
      g.externalKey?.key ?? null,
      JSON.stringify(g.roles),
      JSON.stringify(g.members),
      JSON.stringify(g.attributes),
      g.origin.source,
      g.origin.at.getTime(),
      g.version,
      g.createdAt.getTime(),
      g.updatedAt.getTime(),
    ],
  );
  await bump(client);
}
