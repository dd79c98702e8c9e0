import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface DataFolderClaim {
  release(): void;
}

/**
 * Makes this process the only owner of a data folder: the inbound journal has one writer, and a second
 * Switchboard started on the same folder must stop rather than reuse journal space the first still needs.
 * The claim is an exclusive lock held by an open transaction on `journal/owner.lock` (a SQLite file, so
 * the operating system drops the lock when the process dies, even with kill -9).
 */
export function claimDataFolder(dataDir: string): DataFolderClaim {
  const dir = join(dataDir, 'journal');
  mkdirSync(dir, { recursive: true });
  const lock = new Database(join(dir, 'owner.lock'), { timeout: 0 });
  try {
    lock.pragma('journal_mode = DELETE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(
        `the data folder ${dataDir} is in use by another running Switchboard (stop it, or give this one its own --data folder)`,
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
