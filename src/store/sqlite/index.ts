import type { Store } from '../port.ts';
import { SqliteAlertStore } from './alerts.ts';
import { SqliteAuditLog } from './audit.ts';
import { SqliteCensusStore } from './census.ts';
import { GroupCommit, openSqlite } from './database.ts';
import { SqliteMessageStore } from './messages.ts';
import { SqliteScheduleStore } from './schedules.ts';
import { SqliteSipStore } from './sip.ts';

/** The embedded default store: one SQLite file under `dataDir`. */
export function openSqliteStore(dataDir: string): Store {
  const db = openSqlite(dataDir);
  const commit = new GroupCommit(db);
  return {
    kind: 'sqlite',
    messages: new SqliteMessageStore(db, commit),
    audit: new SqliteAuditLog(db, commit),
    census: new SqliteCensusStore(db, commit),
    schedules: new SqliteScheduleStore(db, commit),
    alerts: new SqliteAlertStore(db, commit),
    sip: new SqliteSipStore(db, commit),
    async close() {
      commit.flush();
      db.close();
    },
  };
}
