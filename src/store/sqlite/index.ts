import type { Store } from '../port.ts';
import { SqliteAlertStore } from './alerts.ts';
import { SqliteAuditLog } from './audit.ts';
import { SqliteCensusStore } from './census.ts';
import { Checkpointer } from './checkpointer.ts';
import { SqliteConnectorStore } from './connectors.ts';
import { SqliteConversationStore } from './conversations.ts';
import { openSqlite } from './database.ts';
import { SqliteDirectoryOverlay } from './directory.ts';
import { SqliteExportState } from './export-state.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { SqliteKnownSenders } from './known-senders.ts';
import { SqliteLeases } from './leases.ts';
import { SqliteMessageStore } from './messages.ts';
import { SqliteOutbox, SqlitePickups } from './outbox.ts';
import { SqliteRuleEdits } from './rule-edits.ts';
import { SqliteScheduleSources } from './schedule-sources.ts';
import { SqliteScheduleStore } from './schedules.ts';
import { SqliteDeviceLogins, SqliteSessionStore } from './sessions.ts';
import { SqliteSignInFailures } from './sign-in-failures.ts';
import { SqliteSipStore } from './sip.ts';

/**
 * The embedded default store: one SQLite file under `dataDir`. `log` hears of a failed commit (an I/O
 * error or a full disk).
 */
export function openSqliteStore(dataDir: string, log?: GroupCommitOptions['log']): Store {
  const db = openSqlite(dataDir);
  const checkpointer = new Checkpointer(db);
  let outbox: SqliteOutbox | undefined;
  const commit = new GroupCommit(db, {
    log,
    afterCommit: () => {
      outbox?.committed();
      checkpointer.finishIfDue();
    },
  });
  outbox = new SqliteOutbox(db, commit);
  return {
    kind: 'sqlite',
    messages: new SqliteMessageStore(db, commit),
    audit: new SqliteAuditLog(db, commit),
    census: new SqliteCensusStore(db, commit),
    schedules: new SqliteScheduleStore(db, commit, outbox),
    scheduleSources: new SqliteScheduleSources(db, commit),
    alerts: new SqliteAlertStore(db, commit, outbox),
    outbox,
    pickups: new SqlitePickups(db, commit),
    connectors: new SqliteConnectorStore(db, commit, outbox),
    sip: new SqliteSipStore(db, commit),
    sessions: new SqliteSessionStore(db, commit),
    devices: new SqliteDeviceLogins(db, commit),
    directory: new SqliteDirectoryOverlay(db, commit),
    exportState: new SqliteExportState(db, commit),
    conversations: new SqliteConversationStore(db, commit),
    leases: new SqliteLeases(db),
    ruleEdits: new SqliteRuleEdits(db, commit),
    signInFailures: new SqliteSignInFailures(db, commit),
    knownSenders: new SqliteKnownSenders(db, commit),
    durable: () => commit.durable(),
    async close() {
      commit.close();
      await checkpointer.stop();
      db.close();
    },
  };
}
