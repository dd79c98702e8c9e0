import { describe, expect, it } from 'vitest';
import { formatProfile, summariseProfile } from './cpu-profile.ts';

// A hand-made profile: root → main → (parse in src/protocols/hl7/header.ts, commit in better-sqlite3), idle.
const profile = {
  startTime: 0,
  endTime: 10_000,
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5] },
    {
      id: 2,
      callFrame: { functionName: 'main', url: 'file:///repo/src/main.ts', lineNumber: 9 },
      children: [3, 4],
    },
    {
      id: 3,
      callFrame: {
        functionName: 'parseHeader',
        url: 'file:///repo/src/protocols/hl7/header.ts',
        lineNumber: 41,
      },
    },
    {
      id: 4,
      callFrame: {
        functionName: 'sqliteTransaction',
        url: 'file:///repo/node_modules/better-sqlite3/lib/methods/transaction.js',
        lineNumber: 51,
      },
    },
    { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
  ],
  // Each sample owns the delta that follows it: 3 → 1000 µs, 4 → 3000 µs, 4 → 3000 µs, 5 → 2000 µs, 3 → 0.
  samples: [3, 4, 4, 5, 3],
  timeDeltas: [100, 1000, 3000, 3000, 2000],
};

describe('summariseProfile', () => {
  const summary = summariseProfile(profile);

  it('adds up self time per function and per file', () => {
    expect(summary.totalMs).toBe(9);
    expect(summary.idleMs).toBe(2);
    expect(summary.byFunction[0]).toEqual({
      name: 'sqliteTransaction better-sqlite3/lib/methods/transaction.js:52',
      selfMs: 6,
      share: 6 / 9,
    });
    expect(summary.byFile.map((f) => [f.name, f.selfMs])).toEqual([
      ['better-sqlite3/lib/methods/transaction.js', 6],
      ['(idle)', 2],
      ['src/protocols/hl7/header.ts', 1],
    ]);
  });

  it('prints a ranked text summary', () => {
    const text = formatProfile(summary, 2).split('\n');
    expect(text[0]).toBe('total 9 ms sampled, idle 2 ms');
    expect(text[2]).toMatch(/^\s+6 ms\s+66\.7%\s+sqliteTransaction better-sqlite3/);
    expect(text).toHaveLength(1 + 1 + 2 + 1 + 2);
  });
});
