/**
 * LDAP / Active Directory sync (ldapts): a paged search of the people under `baseDn` matching `filter`,
 * mapped attribute by attribute onto directory people in the overlay (store/directory-port.ts) under the
 * source `ldap:<name>`. Each run works out a plan first: people to create, fields to update, people to
 * deactivate (gone from the search, or matching `disabledFilter`, e.g. AD's account-disabled bit) and to
 * reactivate. A dry run prints the plan and writes nothing; a real run applies it.
 *
 * An entry is the person the overlay already links to its key (entryUUID / objectGUID), else a person of
 * the directory whose UPN or employeeId it carries (taken over, not copied), else a new person whose id is
 * made from the key (the same every run). A run that would deactivate more than `maxDeactivateShare` of
 * the people it manages applies nothing: a wrong filter or an empty OU must not switch a hospital off.
 *
 * LDAPS pins the CA: only a server certificate signed by `caFile` is accepted. Plain ldap:// is refused
 * by the config check unless the server is on loopback.
 */
import { createHash } from 'node:crypto';
import { Client, type Entry } from 'ldapts';
import type {
  DirectoryOverlayStore,
  Origin,
  OverlayContact,
  OverlayPerson,
} from '../store/directory-port.ts';
import type { Directory } from './directory.ts';
import { externalIdKinds } from './types.ts';

export interface LdapOptions {
  enabled: boolean;
  name: string;
  url?: string;
  /** The CA certificate (PEM text) the server's certificate must chain to. */
  ca?: string;
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

interface Wanted {
  key: string;
  dn: string;
  name: string;
  title: string | null;
  department: string | null;
  ids: Record<string, string>;
  contacts: OverlayContact[];
  disabled: boolean;
}

export interface LdapPlan {
  create: Array<{ id: string; name: string; dn: string }>;
  update: Array<{ id: string; name: string; changes: string[] }>;
  deactivate: Array<{ id: string; name: string; why: string }>;
  reactivate: Array<{ id: string; name: string }>;
  /** Why nothing was applied, when the plan was refused. */
  refused?: string;
  entries: number;
}

const CONTACT_FIELDS = ['email', 'phone', 'pager'] as const;

export class LdapSync {
  constructor(
    private readonly deps: {
      options: LdapOptions;
      store: DirectoryOverlayStore;
      directory: () => Directory;
      /** A person was deactivated by this run (sessions, pages, gaps: see wiring/identity.ts). */
      deactivated: (personId: string, source: string) => Promise<void>;
      changed: () => Promise<void>;
      now: () => Date;
    },
  ) {}

  get source(): string {
    return `ldap:${this.deps.options.name}`;
  }

  /** Reads the directory server, plans, and (unless a dry run) applies. */
  async run(options: { dryRun?: boolean } = {}): Promise<LdapPlan> {
    const wanted = await this.read();
    const plan = await this.plan(wanted);
    if (options.dryRun || plan.refused) return plan;
    await this.apply(plan, wanted);
    return plan;
  }

  private async read(): Promise<Wanted[]> {
    const o = this.deps.options;
    const client = new Client({
      url: o.url!,
      timeout: 30_000,
      connectTimeout: 10_000,
      ...(o.url!.startsWith('ldaps:')
        ? { tlsOptions: { ca: o.ca ? [o.ca] : undefined, rejectUnauthorized: true } }
        : {}),
    });
    try {
      if (o.bindDn) await client.bind(o.bindDn, o.bindPassword ?? '');
      const attributes = [...new Set(Object.values(o.attributes))];
      // Active Directory's keys are binary (objectGUID, objectSid): read them as bytes, kept as hex.
      const binary = attributes.filter((a) => /^object(guid|sid)$/i.test(a));
      const search = (filter: string) =>
        client.search(o.baseDn!, {
          scope: 'sub',
          filter,
          attributes,
          explicitBufferAttributes: binary,
          paged: { pageSize: o.pageSize },
        });
      const { searchEntries } = await search(o.filter);
      const disabled = new Set<string>();
      if (o.disabledFilter)
        for (const e of (await search(`(&${wrap(o.filter)}${wrap(o.disabledFilter)})`)).searchEntries)
          disabled.add(e.dn.toLowerCase());
      return searchEntries
        .map((e) => this.map(e, disabled.has(e.dn.toLowerCase())))
        .filter((w): w is Wanted => !!w);
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  private map(e: Entry, disabled: boolean): Wanted | undefined {
    const a = this.deps.options.attributes;
    const value = (field: string): string | null => {
      const attr = a[field];
      if (!attr) return null;
      const v = Object.entries(e).find(([k]) => k.toLowerCase() === attr.toLowerCase())?.[1];
      const first = Array.isArray(v) ? v[0] : v;
      if (first === undefined) return null;
      const text = Buffer.isBuffer(first) ? first.toString('hex') : String(first);
      return text.trim() || null;
    };
    const key = a.key ? value('key') : e.dn;
    if (!key) return undefined;
    const ids: Record<string, string> = {};
    for (const kind of externalIdKinds) {
      const v = value(kind);
      if (v) ids[kind] = v;
    }
    const idAttr = value('id');
    if (idAttr) ids.id = idAttr;
    const contacts: OverlayContact[] = [];
    for (const kind of CONTACT_FIELDS) {
      const v = value(kind);
      if (v) contacts.push({ kind, address: v });
    }
    return {
      key,
      dn: e.dn,
      name: value('name') ?? e.dn,
      title: value('title'),
      department: value('department'),
      ids,
      contacts,
      disabled,
    };
  }

  private async plan(wanted: Wanted[]): Promise<LdapPlan> {
    const source = this.source;
    const overlay = await this.deps.store.people();
    const managed = overlay.filter((p) => p.externalKey?.source === source);
    const byKey = new Map(managed.map((p) => [p.externalKey!.key, p]));
    const contacts = await this.deps.store.contacts();
    const plan: LdapPlan = { create: [], update: [], deactivate: [], reactivate: [], entries: wanted.length };
    const seen = new Set<string>();
    for (const w of wanted) {
      const existing = byKey.get(w.key);
      const id = existing?.id ?? this.idFor(w);
      w.ids.id = id;
      seen.add(id);
      const name = w.name;
      if (!existing) {
        const inOverlay = overlay.find((p) => p.id === id);
        plan.create.push({ id, name, dn: w.dn });
        if (w.disabled && inOverlay?.active !== false)
          plan.deactivate.push({ id, name, why: 'disabled in the directory server' });
        continue;
      }
      const changes = diff(
        existing,
        w,
        contacts.filter((c) => c.personId === id && c.origin.source === source),
      );
      if (changes.length) plan.update.push({ id, name, changes });
      if (w.disabled && existing.active)
        plan.deactivate.push({ id, name, why: 'disabled in the directory server' });
      if (!w.disabled && !existing.active) plan.reactivate.push({ id, name });
    }
    for (const p of managed)
      if (!seen.has(p.id) && p.active)
        plan.deactivate.push({ id: p.id, name: p.name ?? p.id, why: 'no longer found by the search' });
    const activeManaged = managed.filter((p) => p.active).length;
    const share = this.deps.options.maxDeactivateShare;
    if (activeManaged > 0 && plan.deactivate.length > Math.max(1, share * activeManaged))
      plan.refused = `would deactivate ${plan.deactivate.length} of ${activeManaged} people (more than ${Math.round(share * 100)}%): nothing applied; check the filter and base DN`;
    return plan;
  }

  /** The id of a person new to this source: one of the directory the entry names, else made from the key. */
  private idFor(w: Wanted): string {
    if (w.ids.id) return w.ids.id;
    const dir = this.deps.directory();
    for (const kind of ['upn', 'employeeId'] as const) {
      const v = w.ids[kind];
      const found = v ? dir.findByExternalId(kind, v) : undefined;
      if (found) return found.id;
    }
    return `p-${createHash('sha256').update(`${this.source}:${w.key}`).digest('hex').slice(0, 10)}`;
  }

  private async apply(plan: LdapPlan, wanted: Wanted[]): Promise<void> {
    const origin: Origin = { source: this.source, at: this.deps.now() };
    const touched = new Set([...plan.create.map((c) => c.id), ...plan.update.map((u) => u.id)]);
    for (const w of wanted) {
      const id = w.ids.id as string;
      if (!touched.has(id)) continue;
      const { id: _id, ...ids } = w.ids;
      await this.deps.store.savePerson(
        id,
        { name: w.name, title: w.title, department: w.department, ids, attributes: { ldap: { dn: w.dn } } },
        origin,
        { source: this.source, key: w.key },
      );
      await this.deps.store.replaceContacts(id, w.contacts, origin);
    }
    for (const r of plan.reactivate) await this.deps.store.setActive(r.id, true, origin);
    for (const d of plan.deactivate) await this.deps.store.setActive(d.id, false, origin);
    await this.deps.changed();
    for (const d of plan.deactivate) await this.deps.deactivated(d.id, this.source);
  }
}

function diff(p: OverlayPerson, w: Wanted, contacts: Array<OverlayContact>): string[] {
  const out: string[] = [];
  const field = (label: string, was: string | null | undefined, now: string | null) => {
    if ((was ?? null) !== now) out.push(`${label}: ${was ?? '(none)'} → ${now ?? '(none)'}`);
  };
  field('name', p.name, w.name);
  field('title', p.title, w.title);
  field('department', p.department, w.department);
  for (const kind of externalIdKinds) field(kind, p.ids[kind], w.ids[kind] ?? null);
  const had = contacts
    .map((c) => `${c.kind} ${c.address}`)
    .sort()
    .join(', ');
  const has = w.contacts
    .map((c) => `${c.kind} ${c.address}`)
    .sort()
    .join(', ');
  if (had !== has) out.push(`contacts: ${had || '(none)'} → ${has || '(none)'}`);
  return out;
}

function wrap(filter: string): string {
  return filter.startsWith('(') ? filter : `(${filter})`;
}

/** The plan in words, one change a line, for the dry run and the log. */
export function describePlan(plan: LdapPlan): string {
  const lines = [`${plan.entries} entr${plan.entries === 1 ? 'y' : 'ies'} read`];
  for (const c of plan.create) lines.push(`create ${c.id} ${c.name} (${c.dn})`);
  for (const u of plan.update) for (const ch of u.changes) lines.push(`update ${u.id} ${u.name}: ${ch}`);
  for (const d of plan.deactivate) lines.push(`deactivate ${d.id} ${d.name}: ${d.why}`);
  for (const r of plan.reactivate) lines.push(`reactivate ${r.id} ${r.name}`);
  if (plan.create.length + plan.update.length + plan.deactivate.length + plan.reactivate.length === 0)
    lines.push('no changes');
  if (plan.refused) lines.push(`REFUSED: ${plan.refused}`);
  return `${lines.join('\n')}\n`;
}
