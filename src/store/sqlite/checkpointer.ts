import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDb } from './database.ts';

export interface CheckpointerOptions {
  /** Pause between two checkpoint passes. @defaultValue 250 */
  intervalMs?: number;
  /** WAL frames (pages) past which it is worth starting the WAL over. @defaultValue 4000 (16 MiB) */
  resetFrames?: number;
}

/**
 * Copies the WAL into the database file on a worker thread, with a connection of its own, so the event
 * loop never waits for a checkpoint's writes and fsyncs (SQLite's automatic checkpoint runs them inside
 * COMMIT, on the thread that commits: tens of milliseconds every few thousand pages).
 *
 * A WAL starts over from its beginning only when a writer begins after every frame was copied; with the
 * main connection writing all the time the worker's passes never quite catch up. So once the WAL is big
 * and the worker has copied nearly all of it, the next commit on the main connection finishes the copy
 * itself (a few pages, two fsyncs) and the write after it starts the WAL over. See finishIfDue().
 */
export class Checkpointer {
  private readonly worker: Worker;
  private resetDue = false;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly db: SqliteDb,
    options: CheckpointerOptions = {},
  ) {
    const resetFrames = options.resetFrames ?? 4000;
    db.pragma('wal_autocheckpoint = 0');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file: db.name, intervalMs: options.intervalMs ?? 250 },
    });
    this.worker.on('message', (m: { log: number; checkpointed: number }) => {
      // Worth it when the WAL is big and the worker is close behind: the main connection copies the rest.
      if (m.log >= resetFrames && m.checkpointed >= m.log - Math.max(256, m.log / 4)) this.resetDue = true;
    });
    this.worker.on('error', () => {
      // Without the worker, SQLite's own automatic checkpoint takes over again.
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    });
    this.worker.unref();
  }

  /** Called between transactions on the main connection: finishes the copy so the WAL can start over. */
  finishIfDue(): void {
    if (!this.resetDue || !this.db.open || this.db.inTransaction) return;
    this.resetDue = false;
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Stops the worker after its current pass and closes its connection. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      // Unreferenced while it runs (it must not keep a process alive); waited for now.
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
    });
    return this.stopped;
  }
}

/** The worker: PASSIVE checkpoints (they never wait for, nor block, the writer) while there is work. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = NORMAL');
let timer;
const pass = () => {
  let row;
  try {
    row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch {
    row = undefined;
  }
  if (row) parentPort.postMessage({ log: row.log, checkpointed: row.checkpointed });
  timer = setTimeout(pass, workerData.intervalMs);
};
timer = setTimeout(pass, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;
