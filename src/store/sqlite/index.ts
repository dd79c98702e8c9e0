import { join } from 'node:path';
import type { Store } from '../port.ts';
import { SqliteAlertStore } from './alerts.ts';
import { SqliteAuditLog } from './audit.ts';
import { SqliteCensusStore } from './census.ts';
import { Checkpointer } from './checkpointer.ts';
import { openSqlite } from './database.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { InboundJournal } from './inbound-journal.ts';
import { SqliteMessageStore } from './messages.ts';
import { claimDataFolder } from './owner-lock.ts';
import { SqliteScheduleStore } from './schedules.ts';
import { SqliteSipStore } from './sip.ts';

export interface SqliteStoreOptions {
  /** Hears of a failed commit (an I/O error or a full disk). */
  log?: GroupCommitOptions['log'] & { info?(obj: object, msg: string): void };
  /**
   * Open next to a Switchboard that may be running on the same folder (the command line's `messages` and
   * `oncall`): reads and ordinary writes only; no inbound journal, so saveInbound is refused.
   */
  alongsideServer?: boolean;
  /** Size of each inbound journal segment (tests use small ones). */
  journalSegmentBytes?: number;
}

/**
 * The embedded default store: one SQLite file under `dataDir`, and the inbound journal beside it in
 * `dataDir/journal` (see inbound-journal.ts). Opening it replays what the journal holds that the database
 * lost in a crash; only one process at a time may own a data folder this way.
 */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  const { log } = options;
  const owner = options.alongsideServer ? undefined : claimDataFolder(dataDir);
  const db = openSqlite(dataDir);
  const checkpointer = new Checkpointer(db);
  let journal: InboundJournal | undefined;
  const commit = new GroupCommit(db, {
    log,
    afterCommit: () => checkpointer.finishIfDue(),
    // Inbound messages are durable in the journal; the database commits what routing derived in batches.
    derivedCommitDelayMs: 20,
    commitFailed: () => journal?.hold(),
  });
  let messages: SqliteMessageStore;
  if (owner) {
    const opened = InboundJournal.open(join(dataDir, 'journal'), {
      segmentBytes: options.journalSegmentBytes,
      settle: () => commit.durable(),
    });
    journal = opened.journal;
    messages = new SqliteMessageStore(db, commit, journal, log);
    if (opened.payloads.length > 0) {
      const restored = commit.apply(() => messages.replay(opened.payloads));
      commit.durableNow();
      log?.info?.(
        { journalled: opened.payloads.length, restored },
        'inbound journal replayed into the database',
      );
    }
    journal.start();
  } else {
    messages = new SqliteMessageStore(db, commit);
  }
  return {
    kind: 'sqlite',
    messages,
    audit: new SqliteAuditLog(db, commit),
    census: new SqliteCensusStore(db, commit),
    schedules: new SqliteScheduleStore(db, commit),
    alerts: new SqliteAlertStore(db, commit),
    sip: new SqliteSipStore(db, commit),
    durable: () => commit.durable(),
    async close() {
      commit.close();
      // Everything the journal was asked to keep is now on the disk in the database.
      journal?.close();
      await checkpointer.stop();
      db.close();
      owner?.release();
    },
  };
}
