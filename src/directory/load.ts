import type { ConfigProblem } from '../kit/config-errors.ts';
import { type KeyPath, SectionChecks } from '../kit/section-checks.ts';
import { readYamlDir, type YamlFile } from '../kit/yaml-files.ts';
import { Directory, normalizeId, normalizePager } from './directory.ts';
import {
  type ContactKind,
  type ContactPoint,
  contactKinds,
  type ExternalIdKind,
  type ExternalIds,
  externalIdKinds,
  type Group,
  type Person,
} from './types.ts';

/** The top-level key this loader owns in the configuration folder. */
export const directoryKey = 'directory';

const sectionKeys = ['people', 'groups'];
const personKeys = ['id', 'name', 'title', 'department', 'placeholder', 'ids', 'contacts'];
const groupKeys = ['id', 'name', 'members', 'contacts'];
const contactKeys = ['kind', 'address', 'label', 'carrier'];

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** What an address of each kind must look like; loose on purpose, strict enough to catch a slip. */
const addressChecks: Record<ContactKind, { test: (a: string) => boolean; hint: string }> = {
  app: { test: (a) => /^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(a), hint: 'an account name such as dr.ahmed' },
  pager: { test: isNumber, hint: 'a pager number such as 555-0101' },
  phone: { test: isNumber, hint: 'a phone number such as +1 555 010 0101' },
  sip: { test: (a) => /^sips?:[^\s]+$/i.test(a), hint: 'a SIP URI such as sip:4west@pbx.example.org' },
  email: { test: (a) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a), hint: 'a mail address' },
};

function isNumber(a: string): boolean {
  return /^\+?[\d\s().-]+$/.test(a) && a.replace(/\D/g, '').length >= 3;
}

/**
 * Loads `directory:` (people and groups) from a YAML file, or from whichever file in a config folder holds
 * it (none: an empty directory). Reports every problem with file, line and key: unknown keys, duplicate
 * ids, crosswalk ids shared by two people, group members that do not exist, bad contact kinds or
 * addresses. When `problems` is not empty, `value` holds only the valid records: keep the running one.
 */
export function loadDirectory(source: YamlFile | string): { value: Directory; problems: ConfigProblem[] } {
  const files = typeof source === 'string' ? readYamlDir(source) : [source];
  const owners = files.filter((f) => {
    const v = f.value;
    return v !== null && typeof v === 'object' && !Array.isArray(v) && directoryKey in v;
  });
  const problems: ConfigProblem[] = owners.slice(1).map((extra) => ({
    file: extra.name,
    line: extra.lineOf([directoryKey]),
    key: directoryKey,
    message: `already set in ${owners[0].name}; a top-level key lives in one file`,
  }));
  const file = owners[0];
  if (!file) return { value: new Directory(), problems };
  const syntax = file.syntaxProblems();
  if (syntax.length) return { value: new Directory(), problems: [...problems, ...syntax] };

  const checks = new SectionChecks(file);
  const section = checks.mapping(
    (file.value as Record<string, unknown>)[directoryKey],
    [directoryKey],
    sectionKeys,
  );
  const people: Person[] = [];
  const groups: Group[] = [];
  if (section) {
    const taken = new Set<string>();
    people.push(...readPeople(checks, section.people, taken));
    // Every id a person entry claimed, even one with other problems, so a group naming it is not also blamed.
    const known = new Set(taken);
    groups.push(...readGroups(checks, section.groups, taken, known));
  }
  problems.push(...checks.problems);
  return { value: new Directory(people, groups), problems };
}

function readId(
  checks: SectionChecks,
  value: unknown,
  path: KeyPath,
  taken: Set<string>,
): string | undefined {
  const id = checks.text(value, path, true);
  if (id === undefined) return undefined;
  if (!idPattern.test(id)) {
    checks.report(path, 'must be letters, digits, and . _ : - (no spaces)');
    return undefined;
  }
  if (taken.has(id)) {
    checks.report(path, `duplicates the id ${id} (people and groups share one set of ids)`);
    return undefined;
  }
  taken.add(id);
  return id;
}

function readPeople(checks: SectionChecks, raw: unknown, taken: Set<string>): Person[] {
  const out: Person[] = [];
  const crosswalk = new Map<string, string>(); // `${kind}\0${normalized value}` -> person id
  for (const [i, item] of checks.list(raw, [directoryKey, 'people']).entries()) {
    const path = [directoryKey, 'people', i];
    const p = checks.mapping(item, path, personKeys);
    if (!p) continue;
    const before = checks.problems.length;
    const id = readId(checks, p.id, [...path, 'id'], taken);
    const name = checks.text(p.name, [...path, 'name'], true);
    const title = checks.text(p.title, [...path, 'title'], false);
    const department = checks.text(p.department, [...path, 'department'], false);
    const placeholder = checks.flag(p.placeholder, [...path, 'placeholder'], false);
    const ids = readExternalIds(checks, p.ids, [...path, 'ids']);
    const contacts = readContacts(checks, p.contacts, [...path, 'contacts']);
    if (placeholder && contacts.length === 0 && checks.problems.length === before) {
      checks.report(
        [...path, 'contacts'],
        'a placeholder needs at least one contact point (that is its use)',
      );
    }
    for (const [kind, value] of Object.entries(ids) as Array<[ExternalIdKind, string]>) {
      const key = `${kind}\0${normalizeId(value)}`;
      const holder = crosswalk.get(key);
      if (holder !== undefined) {
        checks.report([...path, 'ids', kind], `${value} is already the ${kind} of ${holder}`);
      } else if (id !== undefined) {
        crosswalk.set(key, id);
      }
    }
    if (checks.problems.length !== before || id === undefined || name === undefined) continue;
    out.push({ id, name, title, department, placeholder, ids, contacts });
  }
  return out;
}

function readGroups(checks: SectionChecks, raw: unknown, taken: Set<string>, people: Set<string>): Group[] {
  const out: Group[] = [];
  for (const [i, item] of checks.list(raw, [directoryKey, 'groups']).entries()) {
    const path = [directoryKey, 'groups', i];
    const g = checks.mapping(item, path, groupKeys);
    if (!g) continue;
    const before = checks.problems.length;
    const id = readId(checks, g.id, [...path, 'id'], taken);
    const name = checks.text(g.name, [...path, 'name'], true);
    const members: string[] = [];
    for (const [j, m] of checks.list(g.members, [...path, 'members']).entries()) {
      const member = checks.text(m, [...path, 'members', j], true);
      if (member === undefined) continue;
      if (!people.has(member)) checks.report([...path, 'members', j], `names nobody in people: ${member}`);
      else if (members.includes(member)) checks.report([...path, 'members', j], `lists ${member} twice`);
      else members.push(member);
    }
    const contacts = readContacts(checks, g.contacts, [...path, 'contacts']);
    if (members.length === 0 && contacts.length === 0 && checks.problems.length === before) {
      checks.report(path, 'has neither members nor contacts, so an alert to it would reach nobody');
    }
    if (checks.problems.length !== before || id === undefined || name === undefined) continue;
    out.push({ id, name, members, contacts });
  }
  return out;
}

function readExternalIds(checks: SectionChecks, raw: unknown, path: KeyPath): ExternalIds {
  const ids: ExternalIds = {};
  if (raw === undefined || raw === null) return ids;
  const map = checks.mapping(raw, path, externalIdKinds);
  if (!map) return ids;
  for (const kind of externalIdKinds) {
    const value = checks.text(map[kind], [...path, kind], false);
    if (value !== undefined) ids[kind] = value;
  }
  return ids;
}

function readContacts(checks: SectionChecks, raw: unknown, path: KeyPath): ContactPoint[] {
  const out: ContactPoint[] = [];
  const seen = new Set<string>();
  for (const [i, item] of checks.list(raw, path).entries()) {
    const at = [...path, i];
    const c = checks.mapping(item, at, contactKeys);
    if (!c) continue;
    const kind = checks.text(c.kind, [...at, 'kind'], true);
    const address = checks.text(c.address, [...at, 'address'], true);
    const label = checks.text(c.label, [...at, 'label'], false);
    const carrier = checks.text(c.carrier, [...at, 'carrier'], false);
    if (kind === undefined || address === undefined) continue;
    if (!contactKinds.includes(kind as ContactKind)) {
      checks.report([...at, 'kind'], `must be one of ${contactKinds.join(', ')}`);
      continue;
    }
    const check = addressChecks[kind as ContactKind];
    if (!check.test(address)) {
      checks.report([...at, 'address'], `is not ${check.hint}`);
      continue;
    }
    const key = `${kind}\0${kind === 'pager' || kind === 'phone' ? normalizePager(address) : address.toLowerCase()}`;
    if (seen.has(key)) {
      checks.report([...at, 'address'], `repeats an earlier ${kind} contact`);
      continue;
    }
    seen.add(key);
    out.push({
      kind: kind as ContactKind,
      address,
      ...(label === undefined ? {} : { label }),
      ...(carrier === undefined ? {} : { carrier }),
    });
  }
  return out;
}
