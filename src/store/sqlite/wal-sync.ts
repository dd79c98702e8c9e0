import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Flushes a file's written bytes to the disk; resolves once they are there. */
export type FlushFile = (fd: number) => Promise<void>;

const fdatasyncAsync: FlushFile = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/**
 * Makes SQLite's write-ahead log durable off the event loop.
 *
 * Commits run with synchronous=NORMAL: SQLite writes the WAL frames (into the page cache) but does not
 * wait for the disk. This class then calls fdatasync on the WAL file on libuv's thread pool, and a caller
 * that must not answer before its commit is on the disk (an MLLP ACK, an HTTP answer) waits for the sync
 * that started after its commit. The guarantee is SQLite's synchronous=FULL one, an acknowledged commit
 * survives power loss, while the event loop goes on parsing and routing during the flush; commits made
 * during one flush share the next (group commit on the disk as well as in the transaction).
 *
 * Why this is safe: WAL frames carry cumulative checksums and recovery keeps the longest valid prefix, so
 * after a power loss the database holds every synced commit and a prefix of the later ones, never a gap.
 * Commits that nobody waits for (routing's derived state) are synced by the next waited-for commit or by
 * the idle sync below, whichever comes first.
 */
export class WalSync {
  private fd: number | undefined;
  /** Commits so far, and how many of them are known to be on the disk. */
  private committed = 0;
  private synced = 0;
  private flushing = false;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Waiting for a flush that happens anyway (the next durable commit's, or the idle one), never starting one. */
  private passive: Array<{ seq: number; resolve: () => void }> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly walPath: string,
    /** Longest a commit nobody waits for stays only in the page cache. */
    private readonly idleSyncMs = 100,
    private readonly flushFile: FlushFile = fdatasyncAsync,
  ) {}

  /** Records that a transaction committed; returns its sequence number. */
  noteCommit(): number {
    this.committed += 1;
    if (!this.idleTimer && !this.closed) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.durable().catch(() => {});
      }, this.idleSyncMs);
      this.idleTimer.unref();
    }
    return this.committed;
  }

  /** The sequence number of the newest commit. */
  lastCommit(): number {
    return this.committed;
  }

  /** Resolves when commit `seq` (by default every commit so far) is on the disk. */
  durable(seq = this.committed): Promise<void> {
    if (seq <= this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.startFlush();
    });
  }

  /**
   * Resolves when commit `seq` is on the disk through a flush that happens anyway: the next waited-for
   * commit's, or the idle flush at most `idleSyncMs` after the commit. Adds no flush of its own.
   */
  whenSynced(seq: number): Promise<void> {
    if (seq <= this.synced) return Promise.resolve();
    return new Promise((resolve) => this.passive.push({ seq, resolve }));
  }

  /** Flushes synchronously and stops the idle timer (at shutdown, before the database closes). */
  close(): void {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.fd !== undefined && this.committed > this.synced) {
      fdatasyncSync(this.fd);
      this.synced = this.committed;
    }
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const w of this.passive.splice(0)) w.resolve();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private startFlush(): void {
    if (this.flushing || this.waiters.length === 0) return;
    // Everything committed before this point is in the page cache; this flush covers it.
    const target = this.committed;
    this.flushing = true;
    let flushed: Promise<void>;
    try {
      this.fd ??= openSync(this.walPath, 'r+');
      flushed = this.flushFile(this.fd);
    } catch (error) {
      flushed = Promise.reject(error);
    }
    flushed.then(
      () => this.settle(target, undefined),
      (error: unknown) => this.settle(target, error ?? new Error('fdatasync failed')),
    );
  }

  private settle(target: number, error: unknown): void {
    this.flushing = false;
    if (error === undefined) this.synced = Math.max(this.synced, target);
    const remaining: WalSync['waiters'] = [];
    for (const w of this.waiters) {
      if (w.seq > target) remaining.push(w);
      else if (error === undefined) w.resolve();
      else w.reject(error);
    }
    this.waiters = remaining;
    if (this.passive.length > 0) {
      const still: WalSync['passive'] = [];
      for (const w of this.passive) {
        if (w.seq <= this.synced) w.resolve();
        else still.push(w);
      }
      this.passive = still;
    }
    this.startFlush();
  }
}
