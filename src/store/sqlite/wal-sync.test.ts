import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from './wal-sync.ts';

/** A flush the test finishes by hand, so the order of events is exact. */
function manualFlush() {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  return {
    pending,
    flushFile: () =>
      new Promise<void>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('WalSync', () => {
  let dir: string;
  let wal: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-walsync-'));
    wal = join(dir, 'db-wal');
    writeFileSync(wal, 'frames');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('settles a waiter only after a flush that started after its commit', async () => {
    const f = manualFlush();
    const sync = new WalSync(wal, 60_000, f.flushFile);
    const first = sync.noteCommit();
    const a = sync.durable(first);
    expect(f.pending).toHaveLength(1);
    // Committed while the first flush runs: that flush may not cover it.
    const second = sync.noteCommit();
    const b = sync.durable(second);
    expect(f.pending).toHaveLength(1);
    f.pending[0].resolve();
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(false);
    expect(f.pending).toHaveLength(2);
    f.pending[1].resolve();
    expect(await settled(b)).toBe(true);
    sync.close();
  });

  it('answers at once for what is already on the disk, and shares one flush among many waiters', async () => {
    const f = manualFlush();
    const sync = new WalSync(wal, 60_000, f.flushFile);
    const seq = sync.noteCommit();
    const waiters = [sync.durable(seq), sync.durable(seq), sync.durable()];
    expect(f.pending).toHaveLength(1);
    f.pending[0].resolve();
    await Promise.all(waiters);
    expect(await settled(sync.durable(seq))).toBe(true);
    expect(f.pending).toHaveLength(1);
    sync.close();
  });

  it('rejects the waiters of a failed flush, and the next flush serves later ones', async () => {
    const f = manualFlush();
    const sync = new WalSync(wal, 60_000, f.flushFile);
    const a = sync.durable(sync.noteCommit());
    f.pending[0].reject(new Error('EIO'));
    await expect(a).rejects.toThrow('EIO');
    const b = sync.durable(sync.noteCommit());
    f.pending[1].resolve();
    await expect(b).resolves.toBeUndefined();
    sync.close();
  });

  it('lets a passive waiter ride on flushes that happen anyway, without starting one', async () => {
    const f = manualFlush();
    const sync = new WalSync(wal, 10, f.flushFile);
    const seq = sync.noteCommit();
    const passive = sync.whenSynced(seq);
    expect(f.pending).toHaveLength(0);
    expect(await settled(passive)).toBe(false);
    // The idle flush covers it.
    await new Promise((r) => setTimeout(r, 40));
    expect(f.pending).toHaveLength(1);
    f.pending[0].resolve();
    expect(await settled(passive)).toBe(true);
    // A later commit's passive waiter is served by a waited-for flush too.
    const later = sync.whenSynced(sync.noteCommit());
    const waited = sync.durable();
    f.pending[1].resolve();
    await waited;
    expect(await settled(later)).toBe(true);
    sync.close();
  });

  it('flushes commits nobody waits for after the idle interval', async () => {
    const f = manualFlush();
    const sync = new WalSync(wal, 10, f.flushFile);
    sync.noteCommit();
    expect(f.pending).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(f.pending).toHaveLength(1);
    f.pending[0].resolve();
    sync.close();
  });

  it('syncs the real WAL file with fdatasync by default, and at close', async () => {
    const sync = new WalSync(wal);
    await sync.durable(sync.noteCommit());
    sync.noteCommit();
    sync.close();
    await expect(sync.durable()).resolves.toBeUndefined();
  });
});
