import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';

const SHIFTS = 20_000;
const childScript = new URL('./sync-child.ts', import.meta.url).pathname;
const dirs: string[] = [];
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the syncing child and kills it with SIGKILL `delayMs` after sync number `at` begins. */
function runAndKill(dataDir: string, at: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(childScript, [dataDir, String(SHIFTS)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    children.add(child);
    let ended = -1;
    child.on('message', (m: { begin?: number; end?: number }) => {
      if (m.end !== undefined) ended = m.end;
      if (m.begin === at) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (signal === 'SIGKILL') resolve(ended);
      else reject(new Error(`the syncing child exited with ${code}`));
    });
  });
}

describe('kill -9 during a schedule sync', () => {
  it('leaves the old schedule or the new one, never a mix, and a feed without hole or repeat', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-sync-crash-'));
    dirs.push(dataDir);
    // Each sync maps and diffs 20,000 rows, then writes them in one transaction: kills at several delays
    // after a sync begins land before, inside and after that write. Every restart continues the same feed.
    let syncs = 0;
    for (const delayMs of [0, 60, 150, 300]) {
      await runAndKill(dataDir, 1, delayMs);
      const seen = await check(dataDir);
      expect(seen.syncs).toBeGreaterThanOrEqual(syncs);
      syncs = seen.syncs;
    }
  }, 180_000);
});

/**
 * Opens the store and checks that the shifts are exactly one version of the schedule and that the change
 * feed numbers 1..n with no hole, its length a whole number of syncs that agrees with the version stored.
 */
async function check(dataDir: string): Promise<{ syncs: number }> {
  const store = openSqliteStore(dataDir);
  try {
    const shifts = await store.schedules.shiftsOverlapping(
      new Date('2026-11-22T00:00:00Z'),
      new Date('2026-11-25T00:00:00Z'),
    );
    expect(shifts).toHaveLength(SHIFTS);
    const versions = new Set(shifts.map((s) => s.personId.split('-')[1]));
    expect(versions.size).toBe(1);
    const last = await store.schedules.lastChangeSeq();
    const seqs: number[] = [];
    for (let after = 0; ; ) {
      const page = await store.schedules.changes({ after, limit: 1000 });
      if (page.length === 0) break;
      for (const c of page) seqs.push(c.seq);
      after = page[page.length - 1].seq;
    }
    expect(seqs.length).toBe(last);
    expect(seqs.every((s, i) => s === i + 1)).toBe(true);
    // Every sync changes every shift: the feed holds whole syncs only.
    expect(last % SHIFTS).toBe(0);
    const syncs = last / SHIFTS;
    // Sync n stores version n % 2: the last whole sync decides which version is there.
    expect([...versions][0]).toBe(String((syncs - 1) % 2));
    return { syncs };
  } finally {
    await store.close();
  }
}
