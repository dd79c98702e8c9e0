import { describe, expect, it } from 'vitest';
import { groupSnapshot, heapGrowth } from './heap-snapshot.ts';

/** A snapshot in V8's layout: each node is [type, name, self_size] as indexes into node_types and strings. */
function snapshot(nodes: Array<[string, string, number]>) {
  const types = ['hidden', 'object', 'closure', 'string', 'native'];
  const strings: string[] = [];
  const at = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'self_size'], node_types: [types] as [string[]] } },
    nodes: nodes.flatMap(([type, name, size]) => [types.indexOf(type), at(name), size]),
    strings,
  };
}

describe('groupSnapshot', () => {
  it('groups objects by constructor, closures by name and strings by kind, not by their text', () => {
    const groups = groupSnapshot(
      snapshot([
        ['object', 'Delivery', 40],
        ['object', 'Delivery', 40],
        ['closure', 'tick', 32],
        ['closure', '', 32],
        ['string', 'shift b1', 24],
        ['string', 'shift b2', 24],
      ]),
    );
    expect(groups.get('Delivery')).toEqual({ name: 'Delivery', count: 2, bytes: 80 });
    expect(groups.get('(closure) tick')?.count).toBe(1);
    expect(groups.get('(closure) anonymous')?.count).toBe(1);
    expect(groups.get('(string)')).toEqual({ name: '(string)', count: 2, bytes: 48 });
  });
});

describe('heapGrowth', () => {
  it('ranks what grew by bytes, what shrank last, and counts what is new', () => {
    const before = groupSnapshot(
      snapshot([
        ['object', 'Map', 100],
        ['object', 'Timeout', 120],
      ]),
    );
    const after = groupSnapshot(
      snapshot([
        ['object', 'Timeout', 120],
        ['object', 'Timeout', 120],
        ['object', 'Timeout', 120],
        ['object', 'Shift', 64],
      ]),
    );
    expect(heapGrowth(before, after)).toEqual([
      { name: 'Timeout', count: 2, bytes: 240 },
      { name: 'Shift', count: 1, bytes: 64 },
      { name: 'Map', count: -1, bytes: -100 },
    ]);
    expect(heapGrowth(before, after, 1)).toHaveLength(1);
  });
});
