import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Another running Switchboard holds the data folder. */
export class DataFolderInUseError extends Error {}

export interface DataFolderClaim {
  release(): void;
}

/**
 * Makes this process the only running Switchboard on a data folder. A second one started on the same
 * folder must stop before it touches anything: it would replay and clear inbound journal segments the
 * first is still writing, and run the same schedules and escalations twice. The claim is an exclusive
 * lock held by an open transaction on `owner.lock` (a SQLite file: the operating system drops the lock
 * when the process dies, kill -9 included, so a crash never leaves a stale claim behind). Commands that
 * only read the store (`switchboard messages`) do not claim it.
 */
export function claimDataFolder(dir: string): DataFolderClaim {
  mkdirSync(dir, { recursive: true });
  const lock = new Database(join(dir, 'owner.lock'), { timeout: 0 });
  try {
    lock.pragma('journal_mode = DELETE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataFolderInUseError(
        `the data folder ${dir} is in use by another running Switchboard (stop it, or give this one its own --data folder)`,
      );
    }
    throw error;
  }
  return {
    release() {
      if (lock.open) lock.close();
    },
  };
}
