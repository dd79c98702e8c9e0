import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../kit/config-errors.ts';
import { criticalPotassium } from './fixtures.ts';
import type { RuleSet } from './rule-set.ts';
import { RulesWatcher } from './watcher.ts';

const rule = (id: string, extra = '') =>
  `rules:\n  - id: ${id}\n    match: { type: ORU }\n    recipients: [ { group: operators } ]\n${extra}`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-rules-watch-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Events from the watcher as a queue, so a test can await the next swap or refusal. */
function events() {
  const queue: Array<{ kind: 'reloaded'; set: RuleSet } | { kind: 'rejected'; problems: ConfigProblem[] }> =
    [];
  let wake: (() => void) | undefined;
  const push = (e: (typeof queue)[number]) => {
    queue.push(e);
    wake?.();
  };
  return {
    onReloaded: (set: RuleSet) => push({ kind: 'reloaded', set }),
    onRejected: (problems: ConfigProblem[]) => push({ kind: 'rejected', problems }),
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queue.shift()!;
    },
  };
}

/** Saves as careful editors do (write aside, then rename), so no reload can see a half-written file. */
function save(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, `.${name}.tmp`), text);
  renameSync(join(dir, `.${name}.tmp`), join(dir, name));
}

const ids = (set: RuleSet) =>
  set.evaluate({ message: criticalPotassium(), listener: 'mllp' }).map((m) => m.rule.id);

let open: RulesWatcher | undefined;
afterEach(() => open?.close());

describe('RulesWatcher', () => {
  it('refuses to start on a bad folder, listing every problem', () => {
    const dir = folder({ 'a.yaml': rule('r1', '    priority: asap\n'), 'b.yaml': rule('r1') });
    let error: unknown;
    try {
      RulesWatcher.start(dir, { watch: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.key)).toEqual(['rules.0.priority', 'rules.0.id']);
  });

  it('swaps in a good edit when a file changes, and an evaluation in flight keeps its set', async () => {
    const dir = folder({ 'lab.yaml': rule('old-rule') });
    const seen = events();
    open = RulesWatcher.start(dir, { debounceMs: 50, ...seen });
    const inFlight = open.current();
    expect(ids(inFlight)).toEqual(['old-rule']);

    save(dir, 'lab.yaml', rule('new-rule'));
    const e = await seen.next();
    expect(e.kind).toBe('reloaded');
    expect(ids(open.current())).toEqual(['new-rule']);
    // The set taken before the swap is untouched: the message it was routing loses nothing.
    expect(ids(inFlight)).toEqual(['old-rule']);
    expect(open.current().version).not.toBe(inFlight.version);
  });

  it('keeps the running rules on a bad edit and reports the problems', async () => {
    const dir = folder({ 'lab.yaml': rule('good-rule') });
    const seen = events();
    open = RulesWatcher.start(dir, { debounceMs: 50, ...seen });
    const before = open.current();

    save(dir, 'lab.yaml', rule('good-rule', '    escalation: no-such-policy\n'));
    const e = await seen.next();
    expect(e.kind).toBe('rejected');
    expect(e.kind === 'rejected' && e.problems).toEqual([
      expect.objectContaining({
        line: 5,
        key: 'rules.0.escalation',
        file: expect.stringMatching(/\/lab\.yaml$/),
      }),
    ]);
    expect(open.current()).toBe(before);

    // Fixing it is picked up like any edit.
    save(dir, 'lab.yaml', rule('fixed-rule'));
    expect((await seen.next()).kind).toBe('reloaded');
    expect(ids(open.current())).toEqual(['fixed-rule']);
  });

  it('picks up added and removed files', async () => {
    const dir = folder({ '10-lab.yaml': rule('lab') });
    const seen = events();
    open = RulesWatcher.start(dir, { debounceMs: 50, ...seen });
    save(dir, '20-more.yaml', rule('more'));
    expect((await seen.next()).kind).toBe('reloaded');
    expect(ids(open.current())).toEqual(['lab', 'more']);
    rmSync(join(dir, '10-lab.yaml'));
    expect((await seen.next()).kind).toBe('reloaded');
    expect(ids(open.current())).toEqual(['more']);
  });

  it('reloads on demand, and does nothing when the files are unchanged', () => {
    const dir = folder({ 'lab.yaml': rule('r1') });
    open = RulesWatcher.start(dir, { watch: false });
    const first = open.current();
    expect(open.reload()).toMatchObject({ ok: true, changed: false });
    expect(open.current()).toBe(first);

    writeFileSync(join(dir, 'lab.yaml'), rule('r2'));
    const result = open.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(ids(open.current())).toEqual(['r2']);

    writeFileSync(join(dir, 'lab.yaml'), 'rules: [');
    const bad = open.reload();
    expect(bad.ok).toBe(false);
    expect(ids(bad.ruleSet)).toEqual(['r2']);
  });
});
