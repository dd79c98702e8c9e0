import type { SqliteDb } from './database.ts';
import { WalSync } from './wal-sync.ts';

interface QueuedWrite {
  fn: () => unknown;
  durable: boolean;
  onCommitted?: (value: unknown) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Writes after which an open transaction commits anyway. @defaultValue 2000 */
  maxWritesPerCommit?: number;
  wal?: WalSync;
  log?: { error(obj: object, msg: string): void };
  /** Runs after each commit, between transactions (the Checkpointer finishes its copy there). */
  afterCommit?: () => void;
}

/**
 * Group commit: the writes of one turn of the event loop, from every caller, share one transaction, each in
 * its own savepoint, so one failing write is rolled back alone and rejects only its own caller. The
 * transaction commits at the end of the turn (no fsync inside COMMIT; see WalSync):
 *
 * - `writeDurable(fn)` (a message about to be acknowledged, an audit entry) settles once WalSync has the
 *   commit on the disk; `onCommitted` hears of the commit before that, so work can overlap the flush.
 * - `write(fn)` (derived state: census, alerts, statuses, what routing rebuilds from stored messages after
 *   a crash) settles as soon as it is applied, visible to every reader in this process, so routing a
 *   message runs through without waiting for a turn per write; it reaches the disk with the next flush
 *   (the next durable write, or WalSync's idle flush).
 * - `durable()` commits what is open and waits for the disk (an HTTP answer to a change does this).
 *
 * A crash before the commit loses only derived writes whose message is still `received` in the store
 * (the status update is one of them), so recovery routes that message again: at least once, never lost.
 */
export class GroupCommit {
  readonly wal: WalSync;
  private queue: QueuedWrite[] = [];
  private scheduled = false;
  private open = false;
  private appliedSinceBegin = 0;
  /** Callers of settled() still waiting: a failed commit (its writes rolled back) rejects them all. */
  private readonly settling = new Set<(error: Error) => void>();
  private commitTimer: NodeJS.Immediate | undefined;
  /** Commits an open transaction that holds only lazy writes (see writeLazy). */
  private lazyTimer: NodeJS.Timeout | undefined;
  private readonly maxWrites: number;
  private readonly begin;
  private readonly commitStmt;
  private readonly runOne: (fn: () => unknown) => unknown;
  /** While another connection holds the write lock (see lend): settles when it gives it back. */
  private lent: Promise<void> | undefined;
  private readonly drainQueue = () => this.applyQueued();
  private readonly commitLater = () => {
    this.commitTimer = undefined;
    this.commit();
  };

  constructor(
    private readonly db: SqliteDb,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.wal = options.wal ?? new WalSync(`${db.name}-wal`);
    this.maxWrites = options.maxWritesPerCommit ?? 2000;
    this.begin = db.prepare('BEGIN');
    this.commitStmt = db.prepare('COMMIT');
    // Inside the open transaction better-sqlite3 runs this as a savepoint.
    this.runOne = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Applies `fn` at once in the open transaction (before durable writes still queued for this turn) and
   * settles; it commits at the end of the turn. A routing step never waits for the next turn of the loop.
   */
  write<T>(fn: () => T): Promise<T> {
    if (this.lent) return this.enqueue(fn, false);
    return this.applyNow(fn, () => this.afterApplied());
  }

  /**
   * Applies `fn` at once in the open transaction but does not ask for a commit: the write goes with the
   * next commit anyone makes (typically the routing of the same message, a turn later), or within
   * `lazyCommitMs`. For rows whose durability another record already keeps (the inbound journal): one
   * commit carries a message's row and its routing instead of two, which halves the pages written.
   */
  writeLazy<T>(fn: () => T, lazyCommitMs = 5): Promise<T> {
    if (this.lent) return this.enqueue(fn, false);
    return this.applyNow(fn, () => {
      if (!this.open) return;
      if (this.appliedSinceBegin >= this.maxWrites) this.commit();
      else if (!this.commitTimer) this.lazyTimer ??= setTimeout(this.commitLazy, lazyCommitMs);
    });
  }

  /** Applies `fn` in its own savepoint of the open transaction, then `after` decides when it commits. */
  private applyNow<T>(fn: () => T, after: () => void): Promise<T> {
    this.beginIfClosed();
    let value: T;
    try {
      value = this.runOne(fn) as T;
    } catch (error) {
      after();
      return Promise.reject(error);
    }
    this.appliedSinceBegin += 1;
    after();
    return Promise.resolve(value);
  }

  private readonly commitLazy = () => {
    this.lazyTimer = undefined;
    this.commit();
  };

  /**
   * Applies `fn` and commits; settles once the commit is on the disk. `onCommitted` hears of the commit
   * first (visible to readers, not yet on the disk), for work that may overlap the flush.
   */
  writeDurable<T>(fn: () => T, onCommitted?: (value: T) => void): Promise<T> {
    return this.enqueue(fn, true, onCommitted as ((value: unknown) => void) | undefined);
  }

  /**
   * Lends the write lock to `fn`: a write on a connection of its own that must be one transaction but must
   * not hold the event loop (a large schedule sync, written a slice per turn). What is open here commits
   * first; until `fn` settles, writes on this connection wait in the queue (their promises settle once they
   * are applied, right after) instead of applying at once, so none waits for the lock with the loop held.
   * Readers go on meanwhile and see what is committed. `fn` commits its own transaction; to make it
   * durable it notes the commit with `wal.noteCommit()` and waits for `wal.durable()`.
   */
  async lend<T>(fn: () => Promise<T>): Promise<T> {
    while (this.lent) await this.lent;
    this.applyQueued();
    if (this.open && this.commit() === undefined) throw new Error('the store could not commit');
    let giveBack = () => {};
    this.lent = new Promise<void>((resolve) => {
      giveBack = resolve;
    });
    try {
      return await fn();
    } finally {
      this.lent = undefined;
      giveBack();
      if (this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drainQueue);
      }
    }
  }

  /** Commits what is open and resolves when every write applied so far is on the disk. */
  durable(): Promise<void> {
    if (this.lent) return this.lent.then(() => this.durable());
    this.applyQueued();
    if (this.commit() === undefined) return Promise.reject(new Error('the store could not commit'));
    return this.wal.durable();
  }

  /**
   * Resolves when every write applied so far is on the disk, through the flushes that happen anyway (the
   * open transaction commits at the end of this turn; WalSync flushes it within its idle interval). For
   * writes whose durability is already kept elsewhere, such as rows replayed from the inbound journal.
   * Rejects when a commit fails meanwhile: it rolled back what it held, perhaps this caller's writes.
   */
  settled(): Promise<void> {
    if (this.lent) return this.lent.then(() => this.settled());
    const target = this.wal.lastCommit() + (this.open || this.queue.length > 0 ? 1 : 0);
    return new Promise((resolve, reject) => {
      this.settling.add(reject);
      void this.wal.whenSynced(target).then(() => {
        if (this.settling.delete(reject)) resolve();
      });
    });
  }

  /** Applies and commits whatever is queued or open, then puts it on the disk (at shutdown). */
  close(): void {
    this.applyQueued();
    this.commit();
    this.wal.close();
  }

  private enqueue<T>(fn: () => T, durable: boolean, onCommitted?: (value: unknown) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, durable, onCommitted, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drainQueue);
      }
    });
  }

  private applyQueued(): void {
    // Applied when the lock is given back (lend schedules it).
    if (this.lent) {
      this.scheduled = false;
      return;
    }
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (batch.length === 0) return;
    this.beginIfClosed();
    const durable: Array<{ item: QueuedWrite; value: unknown }> = [];
    for (const item of batch) {
      let value: unknown;
      try {
        value = this.runOne(item.fn);
      } catch (error) {
        item.reject(error);
        continue;
      }
      this.appliedSinceBegin += 1;
      if (item.durable) durable.push({ item, value });
      else item.resolve(value);
    }
    if (durable.length === 0) {
      this.afterApplied();
      return;
    }
    const committed = this.commit();
    if (committed === undefined) {
      for (const d of durable) d.item.reject(new Error('the store could not commit'));
      return;
    }
    const onDisk = this.wal.durable(committed);
    for (const d of durable) {
      try {
        d.item.onCommitted?.(d.value);
      } catch (error) {
        this.options.log?.error({ err: error }, 'a commit listener failed');
      }
      onDisk.then(() => d.item.resolve(d.value), d.item.reject);
    }
  }

  private beginIfClosed(): void {
    if (this.open) return;
    this.begin.run();
    this.open = true;
    this.appliedSinceBegin = 0;
  }

  /** An open transaction with only derived writes commits soon, or at once when it has grown large. */
  private afterApplied(): void {
    if (!this.open) return;
    if (this.appliedSinceBegin >= this.maxWrites) this.commit();
    else this.commitTimer ??= setImmediate(this.commitLater);
  }

  /** Commits the open transaction; returns its WalSync sequence (undefined when the commit failed). */
  private commit(): number | undefined {
    if (this.commitTimer) clearImmediate(this.commitTimer);
    this.commitTimer = undefined;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    if (!this.open) return this.wal.lastCommit();
    this.open = false;
    try {
      this.commitStmt.run();
    } catch (error) {
      // COMMIT fails only on I/O errors or a full disk. SQLite rolls back what it could not write; derived
      // writes are rebuilt from their still-`received` messages at the next start.
      if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
      for (const reject of this.settling) reject(new Error('a commit failed; writes since may be lost'));
      this.settling.clear();
      this.options.log?.error(
        { err: error },
        'store commit failed; derived writes since the last commit lost',
      );
      return undefined;
    }
    const seq = this.wal.noteCommit();
    try {
      this.options.afterCommit?.();
    } catch (error) {
      this.options.log?.error({ err: error }, 'after-commit step failed');
    }
    return seq;
  }
}
