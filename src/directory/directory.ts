import { type ContactKind, type ExternalIdKind, externalIdKinds, type Group, type Person } from './types.ts';

/** A lookup key: any crosswalk id, our own 'id', or 'any' to try every one of them. */
export type LookupKind = ExternalIdKind | 'id' | 'any';

/**
 * The people and groups of one site, in memory and immutable: a reload builds a new Directory and swaps
 * it in whole, so a lookup never sees half of an edit. Every lookup is a map access.
 */
export class Directory {
  private readonly byId = new Map<string, Person>();
  private readonly groupById = new Map<string, Group>();
  private readonly byExternal = new Map<ExternalIdKind, Map<string, Person>>();
  private readonly byPager = new Map<string, { people: Person[]; groups: Group[] }>();
  private readonly groupsByMember = new Map<string, Group[]>();

  constructor(
    private readonly peopleList: readonly Person[] = [],
    private readonly groupList: readonly Group[] = [],
  ) {
    for (const kind of externalIdKinds) this.byExternal.set(kind, new Map());
    for (const p of peopleList) {
      if (this.byId.has(p.id)) throw new Error(`person id ${p.id} is used twice`);
      this.byId.set(p.id, p);
      // A deactivated person keeps their name for timelines and shifts, and is found by nothing else.
      if (p.deactivated) continue;
      for (const kind of externalIdKinds) {
        const value = p.ids[kind];
        if (value !== undefined) this.byExternal.get(kind)!.set(normalizeId(value), p);
      }
      for (const c of p.contacts) if (c.kind === 'pager') this.pagerEntry(c.address).people.push(p);
    }
    for (const g of groupList) {
      if (this.groupById.has(g.id) || this.byId.has(g.id)) throw new Error(`group id ${g.id} is used twice`);
      this.groupById.set(g.id, g);
      for (const c of g.contacts) if (c.kind === 'pager') this.pagerEntry(c.address).groups.push(g);
      for (const m of g.members) this.groupsByMember.set(m, [...(this.groupsByMember.get(m) ?? []), g]);
    }
  }

  person(id: string): Person | undefined {
    return this.byId.get(id);
  }

  group(id: string): Group | undefined {
    return this.groupById.get(id);
  }

  people(): readonly Person[] {
    return this.peopleList;
  }

  groups(): readonly Group[] {
    return this.groupList;
  }

  /** The people of a group, in the order listed ([] for an unknown group); deactivated people are left out. */
  members(groupId: string): Person[] {
    const g = this.groupById.get(groupId);
    return g
      ? g.members.map((m) => this.byId.get(m)).filter((p): p is Person => p !== undefined && !p.deactivated)
      : [];
  }

  /** The groups a person belongs to. */
  groupsOf(personId: string): readonly Group[] {
    return this.groupsByMember.get(personId) ?? [];
  }

  /**
   * The person another system means by `value`: by one crosswalk key ('npi', 'upn', 'custom2', ...), by our
   * own 'id', or by 'any' of them (our id first). Ids compare trimmed and case-insensitively, since a UPN
   * or an EHR user name arrives in whatever case the sending system likes.
   */
  findByExternalId(kind: LookupKind, value: string): Person | undefined {
    if (kind === 'id') return this.active(this.byId.get(value.trim()));
    if (kind === 'any') {
      const own = this.active(this.byId.get(value.trim()));
      if (own) return own;
      for (const k of externalIdKinds) {
        const found = this.byExternal.get(k)!.get(normalizeId(value));
        if (found) return found;
      }
      return undefined;
    }
    return this.byExternal.get(kind)?.get(normalizeId(value));
  }

  /**
   * People and groups whose pager contact is `number`, as a paging gateway (WCTP recipient, email-to-page
   * address) would quote it: punctuation is ignored and a leading North American '1' is dropped.
   */
  findByPagerNumber(number: string): { people: Person[]; groups: Group[] } {
    const hit = this.byPager.get(normalizePager(number));
    return { people: [...(hit?.people ?? [])], groups: [...(hit?.groups ?? [])] };
  }

  /** True when the person or placeholder has at least one contact point to send to (never when deactivated). */
  isReachable(personId: string): boolean {
    return (this.active(this.byId.get(personId))?.contacts.length ?? 0) > 0;
  }

  /** Whether a person was deactivated by provisioning (false for an unknown id). */
  isDeactivated(personId: string): boolean {
    return this.byId.get(personId)?.deactivated === true;
  }

  /** A person's contact points of one kind (all kinds when omitted); none for a deactivated person. */
  contacts(personId: string, kind?: ContactKind): Person['contacts'] {
    const all = this.active(this.byId.get(personId))?.contacts ?? [];
    return kind ? all.filter((c) => c.kind === kind) : all;
  }

  private active(p: Person | undefined): Person | undefined {
    return p?.deactivated ? undefined : p;
  }

  private pagerEntry(address: string): { people: Person[]; groups: Group[] } {
    const key = normalizePager(address);
    let entry = this.byPager.get(key);
    if (!entry) {
      entry = { people: [], groups: [] };
      this.byPager.set(key, entry);
    }
    return entry;
  }
}

export function normalizeId(value: string): string {
  return value.trim().toLowerCase();
}

/** Digits only; an 11-digit number starting with 1 (NANP country code) is the same as its 10 digits. */
export function normalizePager(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}
