import type { Store } from '../port.ts';
import { PostgresAlertStore } from './alerts.ts';
import { PostgresAuditLog } from './audit.ts';
import { PostgresCensusStore } from './census.ts';
import { Claims } from './claims.ts';
import { PostgresConnectorStore } from './connectors.ts';
import { migrate, openPool, type PostgresOptions, WritesInFlight } from './database.ts';
import { PostgresDirectoryOverlay } from './directory.ts';
import { PostgresExportState } from './export-state.ts';
import { InboundBatch, type InboundBatchOptions } from './inbound-batch.ts';
import { PostgresMessageStore } from './messages.ts';
import { PostgresOutbox, PostgresPickups } from './outbox.ts';
import { PostgresScheduleSources } from './schedule-sources.ts';
import { PostgresScheduleStore } from './schedules.ts';
import { PostgresDeviceLogins, PostgresSessionStore } from './sessions.ts';
import { PostgresSipStore } from './sip.ts';

export type PostgresStoreOptions = PostgresOptions & { inbound?: InboundBatchOptions };

/**
 * The scale-out store: every port on one PostgreSQL database that several Switchboard instances share.
 * Applies the migrations it lacks first (once per cluster, under an advisory lock). Every write resolves
 * once its COMMIT returned with synchronous_commit on, so `durable()` only waits for writes in flight.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = openPool(url, options);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const writes = new WritesInFlight();
  const claims = new Claims(pool, options.log);
  const batch = new InboundBatch(pool, { log: options.log, ...options.inbound });
  const outbox = new PostgresOutbox(pool, writes, claims);
  return {
    kind: 'postgres',
    messages: new PostgresMessageStore(pool, batch, writes),
    audit: new PostgresAuditLog(pool, writes),
    census: new PostgresCensusStore(pool, writes),
    schedules: new PostgresScheduleStore(pool, writes, outbox),
    alerts: new PostgresAlertStore(pool, writes, outbox, claims),
    outbox,
    pickups: new PostgresPickups(pool, writes),
    sip: new PostgresSipStore(pool, writes),
    scheduleSources: new PostgresScheduleSources(pool, writes),
    connectors: new PostgresConnectorStore(pool, writes, outbox),
    sessions: new PostgresSessionStore(pool, writes),
    devices: new PostgresDeviceLogins(pool, writes),
    directory: new PostgresDirectoryOverlay(pool, writes),
    exportState: new PostgresExportState(pool, writes),
    durable: () => writes.settled(),
    async close() {
      await writes.settled().catch(() => {});
      await claims.close();
      await pool.end();
    },
  };
}
