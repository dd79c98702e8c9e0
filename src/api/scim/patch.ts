/**
 * SCIM PATCH (RFC 7644 §3.5.2) on a resource kept as plain JSON, as Microsoft Entra and Okta send it:
 * operation names in any case (`Replace`, `add`), a path with a value filter (`emails[type eq "work"].value`)
 * or a schema URN (`urn:…:enterprise:2.0:User:employeeNumber`), no path with an object whose keys are
 * attributes or paths, and `remove` of members given by a filter path or by a value list.
 */
import { type Filter, type FilterError, field, matches, parseFilter } from './filter.ts';

export class PatchError extends Error {
  constructor(
    readonly scimType: 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidSyntax',
    message: string,
  ) {
    super(message);
  }
}

interface Path {
  /** The object the attribute lives in: the resource, or an extension schema's object. */
  container?: string;
  attr: string;
  filter?: Filter;
  sub?: string;
}

type Json = Record<string, unknown>;

export function applyPatch(resource: Json, body: unknown): Json {
  const ops = field(body, 'Operations');
  if (!Array.isArray(ops) || !ops.length)
    throw new PatchError('invalidSyntax', 'Operations must be a non-empty list');
  const out = structuredClone(resource);
  for (const raw of ops) {
    const op = String(field(raw, 'op') ?? '').toLowerCase();
    const path = field(raw, 'path');
    const value = field(raw, 'value');
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new PatchError(
        'invalidSyntax',
        `op must be add, replace or remove, not "${String(field(raw, 'op'))}"`,
      );
    if (path === undefined || path === '') {
      if (op === 'remove') throw new PatchError('noTarget', 'remove needs a path');
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new PatchError('invalidValue', `${op} without a path needs an object value`);
      for (const [k, v] of Object.entries(value as Json)) {
        // A key may be a schema URN whose value holds that extension's attributes.
        if (/^urn:/i.test(k) && v && typeof v === 'object' && !Array.isArray(v))
          for (const [ek, ev] of Object.entries(v as Json)) write(out, parsePath(`${k}:${ek}`), ev, op);
        else write(out, parsePath(k), v, op);
      }
      continue;
    }
    if (typeof path !== 'string') throw new PatchError('invalidPath', 'path must be a string');
    const parsed = parsePath(path);
    if (op === 'remove') remove(out, parsed, value);
    else write(out, parsed, value, op);
  }
  return out;
}

export function parsePath(path: string): Path {
  let container: string | undefined;
  let rest = path;
  const urn = /^(urn:.+):([^:]+)$/i.exec(path);
  if (urn) {
    container = urn[1];
    rest = urn[2] as string;
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) throw new PatchError('invalidPath', `cannot read the path "${path}"`);
  let filter: Filter | undefined;
  if (m[2]) {
    try {
      filter = parseFilter(m[2]);
    } catch (err) {
      throw new PatchError('invalidPath', `the filter in "${path}": ${(err as FilterError).message}`);
    }
  }
  return { container, attr: m[1] as string, filter, sub: m[3] };
}

/** The object holding the attribute (made when `create`), and the attribute's key as it is spelled there. */
function holder(resource: Json, path: Path, create: boolean): { obj: Json; key: string } | undefined {
  let obj: Json = resource;
  if (path.container) {
    const found = keyOf(resource, path.container);
    if (!found) {
      if (!create) return undefined;
      resource[path.container] = {};
    }
    obj = resource[found ?? path.container] as Json;
  }
  return { obj, key: keyOf(obj, path.attr) ?? path.attr };
}

function write(resource: Json, path: Path, value: unknown, op: 'add' | 'replace'): void {
  const h = holder(resource, path, true)!;
  const current = h.obj[h.key];
  if (path.filter) {
    const list = Array.isArray(current) ? current : [];
    const hits = list.filter((v) => v && typeof v === 'object' && matches(path.filter!, v as Json));
    if (!hits.length) {
      // add emails[type eq "work"].value: the element the filter describes does not exist yet, so make it.
      const made: Json = { ...seedOf(path.filter) };
      if (path.sub) made[path.sub] = value;
      else Object.assign(made, value as Json);
      h.obj[h.key] = [...list, made];
      return;
    }
    for (const hit of hits as Json[]) {
      if (path.sub) hit[keyOf(hit, path.sub) ?? path.sub] = value;
      else Object.assign(hit, value as Json);
    }
    return;
  }
  if (path.sub) {
    const obj = current && typeof current === 'object' && !Array.isArray(current) ? (current as Json) : {};
    obj[keyOf(obj, path.sub) ?? path.sub] = value;
    h.obj[h.key] = obj;
    return;
  }
  if (op === 'add' && Array.isArray(current)) {
    const added = Array.isArray(value) ? value : [value];
    const fresh = added.filter((a) => !current.some((c) => JSON.stringify(c) === JSON.stringify(a)));
    h.obj[h.key] = [...current, ...fresh];
    return;
  }
  if (
    op === 'add' &&
    current &&
    typeof current === 'object' &&
    value &&
    typeof value === 'object' &&
    !Array.isArray(value)
  ) {
    Object.assign(current as Json, value as Json);
    return;
  }
  h.obj[h.key] = value;
}

function remove(resource: Json, path: Path, value: unknown): void {
  const h = holder(resource, path, false);
  if (!h || !(h.key in h.obj)) return; // removing what is not there changes nothing (RFC 7644 §3.5.2.2)
  const current = h.obj[h.key];
  if (path.filter) {
    if (!Array.isArray(current)) return;
    if (path.sub) {
      for (const v of current)
        if (v && typeof v === 'object' && matches(path.filter, v as Json))
          delete (v as Json)[keyOf(v as Json, path.sub) ?? path.sub];
      return;
    }
    h.obj[h.key] = current.filter((v) => !(v && typeof v === 'object' && matches(path.filter!, v as Json)));
    return;
  }
  if (path.sub) {
    if (current && typeof current === 'object')
      delete (current as Json)[keyOf(current as Json, path.sub) ?? path.sub];
    return;
  }
  // Entra removes group members as {path: "members", value: [{value: id}]}: only those go.
  if (Array.isArray(current) && Array.isArray(value)) {
    const gone = new Set(value.map((v) => String(field(v, 'value') ?? v)));
    h.obj[h.key] = current.filter((c) => !gone.has(String(field(c, 'value') ?? c)));
    return;
  }
  delete h.obj[h.key];
}

/** The attributes an eq filter pins down, to seed a new element: `type eq "work"` gives {type: "work"}. */
function seedOf(filter: Filter): Json {
  if (filter.op === 'eq') return { [filter.path]: filter.value };
  if (filter.op === 'and') return { ...seedOf(filter.left), ...seedOf(filter.right) };
  return {};
}

function keyOf(obj: Json, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}
