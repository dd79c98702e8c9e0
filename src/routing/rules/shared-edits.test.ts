/**
 * Rule files saved in the console on another instance: written here when this copy is one the file's
 * history of saves went through, left (and said once) when it was changed outside the console or does
 * not load here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuleEdit } from '../../store/rule-edit-port.ts';
import { SharedRuleEdits } from './shared-edits.ts';
import { RulesWatcher } from './watcher.ts';
import { RuleWorkbench, textVersion } from './workbench.ts';

const filter = (id: string) =>
  `rules:\n  - id: ${id}\n    match:\n      fields:\n        - { path: PID-5.1, equals: ZZTEST }\n    filter: true\n`;

let dir: string;
let watcher: RulesWatcher;
let folder: RuleWorkbench;
let saves: RuleEdit[];
let said: Array<{ msg: string; file?: string }>;
const log = {
  info: (o: object, msg: string) => said.push({ ...o, msg }),
  warn: (o: object, msg: string) => said.push({ ...o, msg }),
  error: (o: object, msg: string) => said.push({ ...o, msg }),
} as never;
const store = { since: async (after: number) => saves.filter((s) => s.revision > after) };

/** A save on another instance: `from` is the text it replaced (undefined for a new file). */
const save = (name: string, text: string, from?: string) =>
  saves.push({
    revision: saves.length + 1,
    name,
    baseVersion: from === undefined ? '' : textVersion(from),
    text,
    savedBy: 'analyst',
    savedAt: new Date('2026-12-07T14:00:00Z'),
  });
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-shared-rules-'));
  writeFileSync(join(dir, 'filters.yaml'), filter('v1'));
  watcher = RulesWatcher.start(dir, { watch: false });
  folder = new RuleWorkbench(dir, {}, () => watcher.reload());
  saves = [];
  said = [];
});
afterEach(() => {
  watcher.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SharedRuleEdits', () => {
  it('moves a file along its saves, however far behind, and reloads the rules', async () => {
    save('filters.yaml', filter('v2'), filter('v1'));
    save('filters.yaml', filter('v3'), filter('v2'));
    const shared = new SharedRuleEdits(store, folder, log);
    expect(await shared.catchUp()).toEqual(['filters.yaml']);
    expect(read('filters.yaml')).toBe(filter('v3'));
    expect(watcher.current().rules.map((r) => r.id)).toEqual(['v3']);
    // Nothing new: nothing written.
    expect(await shared.catchUp()).toEqual([]);
    save('filters.yaml', filter('v4'), filter('v3'));
    expect(await shared.catchUp()).toEqual(['filters.yaml']);
    expect(watcher.current().rules.map((r) => r.id)).toEqual(['v4']);
  });

  it('creates a file saved new elsewhere', async () => {
    save('nurse-call.yaml', filter('nc'));
    expect(await new SharedRuleEdits(store, folder, log).catchUp()).toEqual(['nurse-call.yaml']);
    expect(read('nurse-call.yaml')).toBe(filter('nc'));
    expect(
      watcher
        .current()
        .rules.map((r) => r.id)
        .sort(),
    ).toEqual(['nc', 'v1']);
  });

  it('leaves a copy changed outside the console, and says so once', async () => {
    writeFileSync(join(dir, 'filters.yaml'), filter('by-hand'));
    save('filters.yaml', filter('v2'), filter('v1'));
    const shared = new SharedRuleEdits(store, folder, log);
    expect(await shared.catchUp()).toEqual([]);
    expect(await shared.catchUp()).toEqual([]);
    expect(read('filters.yaml')).toBe(filter('by-hand'));
    const warnings = said.filter((s) => s.msg.includes('not written here'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: 'filters.yaml', revision: 1 });
    expect(warnings[0].msg).toContain('changed outside the console');
  });

  it('leaves a file whose folder does not load here', async () => {
    // Another file on this instance already has the id the saved text brings: the folder would not load.
    writeFileSync(join(dir, 'other.yaml'), filter('v2'));
    watcher.reload();
    save('filters.yaml', filter('v2'), filter('v1'));
    expect(await new SharedRuleEdits(store, folder, log).catchUp()).toEqual([]);
    expect(read('filters.yaml')).toBe(filter('v1'));
    expect(said.some((s) => s.msg.includes('does not load here'))).toBe(true);
  });
});
