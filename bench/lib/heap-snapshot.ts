/**
 * Compares two V8 heap snapshots (`v8.writeHeapSnapshot`, the format Chrome DevTools opens) by what the
 * objects are: the self size and count per constructor (or per kind for strings, arrays, code and the
 * like), and which of them grew from the first snapshot to the second. So "what grows" in a benchmark's
 * memory series can be pasted into a report.
 *
 *   npx tsx bench/lib/heap-snapshot.ts <before.heapsnapshot> <after.heapsnapshot> [top N]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  /** `Delivery`, `Map`, `(string)`, `(closure) tick`, ... */
  name: string;
  count: number;
  bytes: number;
}

/** Node kinds whose V8 name is a value (a string's text, a number) rather than what the object is. */
const BY_KIND = new Set([
  'string',
  'concatenated string',
  'sliced string',
  'number',
  'bigint',
  'hidden',
  'code',
]);

/** Self size and count of every node, grouped by constructor or kind. */
export function groupSnapshot(snapshot: HeapSnapshot): Map<string, HeapGroup> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = snapshot.strings[snapshot.nodes[i + nameAt]];
    const key =
      type === 'object' || type === 'native'
        ? name
        : type === 'closure'
          ? `(closure) ${name || 'anonymous'}`
          : BY_KIND.has(type)
            ? `(${type})`
            : `(${type}) ${name.length > 40 ? `${name.slice(0, 40)}…` : name}`;
    const group = groups.get(key) ?? { name: key, count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.nodes[i + sizeAt];
    groups.set(key, group);
  }
  return groups;
}

/** The groups that grew most from `before` to `after`, in bytes (count growth beside). */
export function heapGrowth(
  before: Map<string, HeapGroup>,
  after: Map<string, HeapGroup>,
  top = 20,
): HeapGroup[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => ({
      name,
      count: (after.get(name)?.count ?? 0) - (before.get(name)?.count ?? 0),
      bytes: (after.get(name)?.bytes ?? 0) - (before.get(name)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

const total = (groups: Map<string, HeapGroup>) => [...groups.values()].reduce((n, g) => n + g.bytes, 0);

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [beforeFile, afterFile, top] = process.argv.slice(2);
  if (!beforeFile || !afterFile) {
    console.error(
      'usage: npx tsx bench/lib/heap-snapshot.ts <before.heapsnapshot> <after.heapsnapshot> [top N]',
    );
    process.exit(2);
  }
  const read = (f: string) => groupSnapshot(JSON.parse(readFileSync(f, 'utf8')) as HeapSnapshot);
  const before = read(beforeFile);
  const after = read(afterFile);
  const mb = (b: number) => (b / 1048576).toFixed(2);
  console.log(`heap: ${mb(total(before))} MB -> ${mb(total(after))} MB\n\n    bytes    count  what`);
  for (const g of heapGrowth(before, after, Number(top ?? 20)))
    console.log(`${String(g.bytes).padStart(9)} ${String(g.count).padStart(8)}  ${g.name}`);
}
