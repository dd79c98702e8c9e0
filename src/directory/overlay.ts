/**
 * The directory as routing sees it: config/directory.yaml with the overlay on top (store/directory-port.ts),
 * written by SCIM, LDAP and imports. Rules of the merge:
 *
 * - a config person keeps their entry; overlay values (name, title, department, crosswalk ids) replace
 *   the config's, field by field;
 * - contact points: for each kind the overlay gives a person (from any source), the overlay's replace the
 *   config's of that kind; kinds the overlay does not give stay as configured;
 * - a person only in the overlay is added (named by their id until a name arrives); contact points of an
 *   id that is neither in the config nor in the overlay are left out;
 * - a deactivated person stays (shifts and timelines name them) but is found by no lookup and reachable
 *   at no contact point (Directory's `deactivated`);
 * - overlay groups (SCIM) are added; one whose id a config person or group already has is left out.
 */
import type {
  DirectoryOverlayStore,
  OverlayContactRecord,
  OverlayGroup,
  OverlayPerson,
} from '../store/directory-port.ts';
import { Directory } from './directory.ts';
import {
  type ContactKind,
  type ContactPoint,
  contactKinds,
  type ExternalIds,
  externalIdKinds,
  type Group,
  type Person,
} from './types.ts';

export interface OverlaySnapshot {
  people: readonly OverlayPerson[];
  contacts: readonly OverlayContactRecord[];
  groups: readonly OverlayGroup[];
}

export function withOverlay(base: Directory, overlay: OverlaySnapshot): Directory {
  const contactsOf = new Map<string, ContactPoint[]>();
  for (const c of overlay.contacts) {
    if (!(contactKinds as readonly string[]).includes(c.kind)) continue;
    const list = contactsOf.get(c.personId) ?? [];
    list.push({
      kind: c.kind as ContactKind,
      address: c.address,
      ...(c.label ? { label: c.label } : {}),
      ...(c.carrier ? { carrier: c.carrier } : {}),
    });
    contactsOf.set(c.personId, list);
  }
  const overlayById = new Map(overlay.people.map((p) => [p.id, p]));
  const merged = (p: Person | undefined, o: OverlayPerson | undefined, id: string): Person => {
    const given = contactsOf.get(id) ?? [];
    const kinds = new Set(given.map((c) => c.kind));
    const ids: ExternalIds = { ...(p?.ids ?? {}) };
    for (const kind of externalIdKinds) {
      const value = o?.ids[kind];
      if (value !== undefined) ids[kind] = value;
      else if (o?.provenance[`ids.${kind}`]) delete ids[kind];
    }
    const person: Person = {
      id,
      name: o?.name ?? p?.name ?? id,
      placeholder: p?.placeholder ?? false,
      ids,
      contacts: [...(p?.contacts ?? []).filter((c) => !kinds.has(c.kind)), ...given],
    };
    const title = o?.provenance.title ? o.title : p?.title;
    const department = o?.provenance.department ? o.department : p?.department;
    if (title) person.title = title;
    if (department) person.department = department;
    if (o && !o.active) person.deactivated = true;
    return person;
  };
  const people: Person[] = base.people().map((p) => merged(p, overlayById.get(p.id), p.id));
  const known = new Set(people.map((p) => p.id));
  for (const o of overlay.people) if (!known.has(o.id)) people.push(merged(undefined, o, o.id));
  const taken = new Set([...people.map((p) => p.id), ...base.groups().map((g) => g.id)]);
  const groups: Group[] = [
    ...base.groups(),
    ...overlay.groups
      .filter((g) => !taken.has(g.id))
      .map((g) => ({ id: g.id, name: g.name, members: [...g.members], contacts: [] })),
  ];
  return new Directory(people, groups);
}

/**
 * Keeps the merged directory current: rebuilt after a write here (`refresh()`), and when the overlay's
 * revision moves because another writer (an import, another instance) changed it, looked at every
 * `pollMs`. `onChange` hears of each new directory (the site swaps it in whole).
 */
export class DirectoryOverlay {
  private revision = -1;
  private timer: NodeJS.Timeout | undefined;
  private merged: Directory;
  private groups: readonly OverlayGroup[] = [];

  constructor(
    private readonly deps: {
      store: DirectoryOverlayStore;
      base: () => Directory;
      onChange: (directory: Directory) => void;
      log?: { error(obj: object, msg: string): void };
    },
  ) {
    this.merged = deps.base();
  }

  current(): Directory {
    return this.merged;
  }

  /** The overlay groups (SCIM) a person is a member of. */
  groupsOf(personId: string): readonly OverlayGroup[] {
    return this.groups.filter((g) => g.members.includes(personId));
  }

  /** Rebuilds from the store now; resolves once the new directory is in force. */
  async refresh(): Promise<Directory> {
    const revision = await this.deps.store.revision();
    const [people, contacts, groups] = await Promise.all([
      this.deps.store.people(),
      this.deps.store.contacts(),
      this.deps.store.groups(),
    ]);
    this.groups = groups;
    this.merged = withOverlay(this.deps.base(), { people, contacts, groups });
    this.revision = revision;
    this.deps.onChange(this.merged);
    return this.merged;
  }

  start(pollMs = 2000): void {
    this.timer = setInterval(() => {
      void this.deps.store
        .revision()
        .then((r) => (r !== this.revision ? this.refresh() : undefined))
        .catch((err) => this.deps.log?.error({ err }, 'directory overlay refresh failed'));
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
