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
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/**
 * The directory overlay in SQLite. Writes apply at once (visible to the next read in this process) and
 * bump the overlay's revision in the same transaction, so a reader never sees a change without it.
 */
export class SqliteDirectoryOverlay implements DirectoryOverlayStore {
  private readonly bump;
  private seq = 0;

  constructor(
    private readonly db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.bump = db.prepare('UPDATE directory_revision SET revision = revision + 1 WHERE id = 1');
    const row = db.prepare('SELECT MAX(seq) AS seq FROM directory_contacts').get() as { seq: number | null };
    this.seq = row.seq ?? 0;
  }

  savePerson(
    id: string,
    fields: OverlayPersonFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayPerson> {
    return this.commit.write(() => {
      const before = this.personRow(id);
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
      this.writePerson(p, origin.at, !before);
      return p;
    });
  }

  setActive(id: string, active: boolean, origin: Origin): Promise<OverlayPerson> {
    return this.commit.write(() => {
      const before = this.personRow(id);
      const p = before ? toPerson(before) : blankPerson(id, origin.at);
      p.active = active;
      p.provenance.active = origin;
      this.writePerson(p, origin.at, !before);
      return p;
    });
  }

  removePerson(id: string): Promise<boolean> {
    return this.commit.write(() => {
      const gone = this.db.prepare('DELETE FROM directory_people WHERE id = ?').run(id).changes > 0;
      const contacts = this.db.prepare('DELETE FROM directory_contacts WHERE person_id = ?').run(id).changes;
      if (gone || contacts) this.bump.run();
      return gone;
    });
  }

  async person(id: string): Promise<OverlayPerson | undefined> {
    const row = this.personRow(id);
    return row ? toPerson(row) : undefined;
  }

  async personByExternalKey(source: string, key: string): Promise<OverlayPerson | undefined> {
    const row = this.db
      .prepare('SELECT * FROM directory_people WHERE key_source = ? AND external_key = ?')
      .get(source, key) as PersonRow | undefined;
    return row ? toPerson(row) : undefined;
  }

  async people(): Promise<OverlayPerson[]> {
    const rows = this.db.prepare('SELECT * FROM directory_people ORDER BY id').all() as PersonRow[];
    return rows.map(toPerson);
  }

  replaceContacts(
    personId: string,
    contacts: OverlayContact[],
    origin: Origin,
  ): Promise<OverlayContactRecord[]> {
    return this.commit.write(() => {
      this.db
        .prepare('DELETE FROM directory_contacts WHERE person_id = ? AND source = ?')
        .run(personId, origin.source);
      const insert = this.db.prepare(
        `INSERT INTO directory_contacts (seq, person_id, kind, address, label, carrier, source, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const c of contacts)
        insert.run(
          ++this.seq,
          personId,
          c.kind,
          c.address,
          c.label ?? null,
          c.carrier ?? null,
          origin.source,
          origin.at.getTime(),
        );
      this.bump.run();
      return this.contactRows(personId);
    });
  }

  async contacts(personId?: string): Promise<OverlayContactRecord[]> {
    return this.contactRows(personId);
  }

  saveGroup(
    id: string,
    fields: OverlayGroupFields,
    origin: Origin,
    externalKey?: { source: string; key: string },
  ): Promise<OverlayGroup> {
    return this.commit.write(() => {
      const before = this.groupRow(id);
      const g: OverlayGroup = before ? toGroup(before) : blankGroup(id, origin);
      if (fields.name !== undefined) g.name = fields.name;
      if (fields.roles !== undefined) g.roles = fields.roles;
      if (fields.attributes !== undefined) g.attributes = fields.attributes;
      if (externalKey && !g.externalKey) g.externalKey = externalKey;
      g.origin = origin;
      this.writeGroup(g, origin.at, !before);
      return g;
    });
  }

  setMembers(groupId: string, members: string[], origin: Origin): Promise<OverlayGroup> {
    return this.commit.write(() => {
      const before = this.groupRow(groupId);
      const g = before ? toGroup(before) : blankGroup(groupId, origin);
      g.members = [...new Set(members)];
      g.origin = origin;
      this.writeGroup(g, origin.at, !before);
      return g;
    });
  }

  removeGroup(id: string): Promise<boolean> {
    return this.commit.write(() => {
      const gone = this.db.prepare('DELETE FROM directory_groups WHERE id = ?').run(id).changes > 0;
      if (gone) this.bump.run();
      return gone;
    });
  }

  async group(id: string): Promise<OverlayGroup | undefined> {
    const row = this.groupRow(id);
    return row ? toGroup(row) : undefined;
  }

  async groupByExternalKey(source: string, key: string): Promise<OverlayGroup | undefined> {
    const row = this.db
      .prepare('SELECT * FROM directory_groups WHERE key_source = ? AND external_key = ?')
      .get(source, key) as GroupRow | undefined;
    return row ? toGroup(row) : undefined;
  }

  async groups(): Promise<OverlayGroup[]> {
    const rows = this.db.prepare('SELECT * FROM directory_groups ORDER BY id').all() as GroupRow[];
    return rows.map(toGroup);
  }

  async revision(): Promise<number> {
    const row = this.db.prepare('SELECT revision FROM directory_revision WHERE id = 1').get() as {
      revision: number;
    };
    return row.revision;
  }

  private personRow(id: string): PersonRow | undefined {
    return this.db.prepare('SELECT * FROM directory_people WHERE id = ?').get(id) as PersonRow | undefined;
  }

  private groupRow(id: string): GroupRow | undefined {
    return this.db.prepare('SELECT * FROM directory_groups WHERE id = ?').get(id) as GroupRow | undefined;
  }

  private contactRows(personId?: string): OverlayContactRecord[] {
    const rows = (
      personId === undefined
        ? this.db.prepare('SELECT * FROM directory_contacts ORDER BY seq').all()
        : this.db.prepare('SELECT * FROM directory_contacts WHERE person_id = ? ORDER BY seq').all(personId)
    ) as ContactRow[];
    return rows.map((r) => ({
      personId: r.person_id,
      kind: r.kind,
      address: r.address,
      ...(r.label === null ? {} : { label: r.label }),
      ...(r.carrier === null ? {} : { carrier: r.carrier }),
      origin: { source: r.source, at: new Date(r.at) },
    }));
  }

  private writePerson(p: OverlayPerson, at: Date, created: boolean): void {
    p.version += 1;
    p.updatedAt = at;
    if (created) p.createdAt = at;
    this.db
      .prepare(
        `INSERT INTO directory_people (id, name, title, department, ids, attributes, active, key_source,
          external_key, provenance, version, created_at, updated_at)
         VALUES (@id, @name, @title, @department, @ids, @attributes, @active, @keySource, @externalKey,
          @provenance, @version, @createdAt, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, title = excluded.title,
          department = excluded.department, ids = excluded.ids, attributes = excluded.attributes,
          active = excluded.active, key_source = excluded.key_source, external_key = excluded.external_key,
          provenance = excluded.provenance, version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run({
        id: p.id,
        name: p.name,
        title: p.title,
        department: p.department,
        ids: JSON.stringify(p.ids),
        attributes: JSON.stringify(p.attributes),
        active: p.active ? 1 : 0,
        keySource: p.externalKey?.source ?? null,
        externalKey: p.externalKey?.key ?? null,
        provenance: JSON.stringify(
          Object.fromEntries(
            Object.entries(p.provenance).map(([k, o]) => [k, { source: o.source, at: o.at.getTime() }]),
          ),
        ),
        version: p.version,
        createdAt: p.createdAt.getTime(),
        updatedAt: p.updatedAt.getTime(),
      });
    this.bump.run();
  }

  private writeGroup(g: OverlayGroup, at: Date, created: boolean): void {
    g.version += 1;
    g.updatedAt = at;
    if (created) g.createdAt = at;
    this.db
      .prepare(
        `INSERT INTO directory_groups (id, name, key_source, external_key, roles, members, attributes, source,
          at, version, created_at, updated_at)
         VALUES (@id, @name, @keySource, @externalKey, @roles, @members, @attributes, @source, @at, @version,
          @createdAt, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_source = excluded.key_source,
          external_key = excluded.external_key, roles = excluded.roles, members = excluded.members,
          attributes = excluded.attributes, source = excluded.source, at = excluded.at,
          version = excluded.version, updated_at = excluded.updated_at`,
      )
      .run({
        id: g.id,
        name: g.name,
        keySource: g.externalKey?.source ?? null,
        externalKey: g.externalKey?.key ?? null,
        roles: JSON.stringify(g.roles),
        members: JSON.stringify(g.members),
        attributes: JSON.stringify(g.attributes),
        source: g.origin.source,
        at: g.origin.at.getTime(),
        version: g.version,
        createdAt: g.createdAt.getTime(),
        updatedAt: g.updatedAt.getTime(),
      });
    this.bump.run();
  }
}
