/**
 * SCIM filters (RFC 7644 §3.4.2.2), the part provisioning clients send: `attrPath op value` with eq, ne,
 * co, sw, ew, gt, ge, lt, le and pr; `and` (binding tighter) and `or`; `not (…)` and parentheses.
 * Attribute names compare case-insensitively, and so do string values (userName, displayName and the
 * like are caseExact false in RFC 7643). A dotted path reads a sub-attribute; a multi-valued attribute
 * matches when any of its values does (`emails.value eq "a@b"`).
 */

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; path: string }
  | { op: Comparison; path: string; value: string | number | boolean | null };

type Comparison = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARISONS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

export class FilterError extends Error {}

const TOKEN = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+)/y;

export function parseFilter(text: string): Filter {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) break;
    tokens.push(m[1] as string);
  }
  if (text.slice(TOKEN.lastIndex).trim())
    throw new FilterError(`cannot read the filter near "${text.slice(TOKEN.lastIndex)}"`);
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new FilterError('the filter ends too early');
    return t;
  };
  const orExpr = (): Filter => {
    let left = andExpr();
    while (peek() === 'or') {
      i++;
      left = { op: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Filter => {
    let left = unary();
    while (peek() === 'and') {
      i++;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    if (peek() === 'not') {
      i++;
      return { op: 'not', filter: group() };
    }
    if (peek() === '(') return group();
    const path = next();
    if (!/^[A-Za-z][\w:.$-]*$/.test(path)) throw new FilterError(`"${path}" is not an attribute`);
    const op = next().toLowerCase();
    if (op === 'pr') return { op: 'pr', path };
    if (!COMPARISONS.has(op)) throw new FilterError(`"${op}" is not a filter operator`);
    return { op: op as Comparison, path, value: literal(next()) };
  };
  const group = (): Filter => {
    if (next() !== '(') throw new FilterError('expected "("');
    const inner = orExpr();
    if (next() !== ')') throw new FilterError('expected ")"');
    return inner;
  };
  const filter = orExpr();
  if (i < tokens.length) throw new FilterError(`unexpected "${tokens[i]}" in the filter`);
  return filter;
}

function literal(token: string): string | number | boolean | null {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  const lower = token.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  const n = Number(token);
  if (Number.isFinite(n)) return n;
  throw new FilterError(`${token} is not a value (strings are quoted)`);
}

/** Whether a resource (plain JSON) matches. */
export function matches(filter: Filter, resource: Record<string, unknown>): boolean {
  switch (filter.op) {
    case 'and':
      return matches(filter.left, resource) && matches(filter.right, resource);
    case 'or':
      return matches(filter.left, resource) || matches(filter.right, resource);
    case 'not':
      return !matches(filter.filter, resource);
    case 'pr':
      return valuesAt(resource, filter.path).some(
        (v) => v !== null && v !== '' && !(Array.isArray(v) && !v.length),
      );
    default: {
      const values = valuesAt(resource, filter.path);
      if (filter.op === 'ne') return !values.some((v) => compare('eq', v, filter.value));
      return values.some((v) => compare(filter.op as Comparison, v, filter.value));
    }
  }
}

function compare(op: Comparison, actual: unknown, expected: string | number | boolean | null): boolean {
  if (typeof actual === 'string' && typeof expected === 'string') {
    const a = actual.toLowerCase();
    const e = expected.toLowerCase();
    switch (op) {
      case 'eq':
        return a === e;
      case 'co':
        return a.includes(e);
      case 'sw':
        return a.startsWith(e);
      case 'ew':
        return a.endsWith(e);
      case 'gt':
        return a > e;
      case 'ge':
        return a >= e;
      case 'lt':
        return a < e;
      case 'le':
        return a <= e;
      default:
        return false;
    }
  }
  if (op === 'eq') return actual === expected || (typeof actual === 'string' && String(expected) === actual);
  if (typeof actual === 'number' && typeof expected === 'number')
    return op === 'gt'
      ? actual > expected
      : op === 'ge'
        ? actual >= expected
        : op === 'lt'
          ? actual < expected
          : op === 'le'
            ? actual <= expected
            : false;
  return false;
}

/**
 * The values at a path: `userName`, `name.familyName`, `emails.value`, or with a schema URN prefix
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`). Case-insensitive.
 */
export function valuesAt(resource: unknown, path: string): unknown[] {
  const urn = /^(urn:[^ ]+):([^:]+)$/i.exec(path);
  let start: unknown = resource;
  let rest = path;
  if (urn) {
    start = field(resource, urn[1] as string);
    rest = urn[2] as string;
  }
  let current: unknown[] = [start];
  for (const part of rest.split('.')) {
    const next: unknown[] = [];
    for (const v of current.flatMap((c) => (Array.isArray(c) ? c : [c]))) {
      const f = field(v, part);
      if (f !== undefined) next.push(f);
    }
    current = next;
  }
  // A complex value compared as a whole means its "value" (`emails co "x"` is `emails.value co "x"`).
  return current
    .flatMap((c) => (Array.isArray(c) ? c : [c]))
    .map((c) => (c && typeof c === 'object' && !Array.isArray(c) ? (field(c, 'value') ?? c) : c));
}

/** A member of an object by case-insensitive name. */
export function field(value: unknown, name: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
