import type { Store } from '../port.ts';
import { PostgresAlertStore } from './alerts.ts';
import { PostgresAuditLog } from './audit.ts';
import { PostgresCensusStore } from './census.ts';
import { Claims } from './claims.ts';
import { PostgresConnectorStore } from './connectors.ts';
import { PostgresConversationStore } from './conversations.ts';
import { flushWal, migrate, openPool, type PostgresOptions, WritesInFlight } from './database.ts';
import { PostgresDirectoryOverlay } from './directory.ts';
import { PostgresExportState } from './export-state.ts';
import { InboundBatch, type InboundBatchOptions } from './inbound-batch.ts';
import { InstanceLock } from './instance-lock.ts';
import { PostgresKnownSenders } from './known-senders.ts';
import { PostgresLeases } from './leases.ts';
import { PostgresMessageStore } from './messages.ts';
import { PostgresOutbox, PostgresPickups } from './outbox.ts';
import { PostgresRuleEdits } from './rule-edits.ts';
import { PostgresScheduleSources } from './schedule-sources.ts';
import { PostgresScheduleStore } from './schedules.ts';
import { PostgresDeviceLogins, PostgresSessionStore } from './sessions.ts';
import { PostgresSignInFailures } from './sign-in-failures.ts';
import { PostgresSipStore } from './sip.ts';

export type PostgresStoreOptions = PostgresOptions & { inbound?: InboundBatchOptions };

/**
 * The scale-out store: every port on one PostgreSQL database that several Switchboard instances share.
 * Applies the migrations it lacks first (once per cluster, under an advisory lock). Inbound messages,
 * audit entries, routing starts and schedule syncs resolve once on the disk; derived state resolves once
 * committed (visible to every instance) and reaches the disk within the WAL writer's delay, or at once
 * when someone asks `durable()`, which flushes the WAL.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = openPool(url, options);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  // Derived state commits without waiting for its WAL flush, as the embedded store's group commit does.
  const derived = openPool(url, options, 'derived');
  const flush = () => flushWal(pool);
  const writes = new WritesInFlight(flush);
  const claims = new Claims(pool, options.log);
  const instance = new InstanceLock(pool, options.log);
  try {
    await instance.start();
  } catch (error) {
    await Promise.all([pool.end(), derived.end()]);
    throw error;
  }
  const batch = new InboundBatch(pool, { log: options.log, ...options.inbound, owner: instance.key });
  const outbox = new PostgresOutbox(derived, writes, claims, flush);
  return {
    kind: 'postgres',
    messages: new PostgresMessageStore(derived, batch, writes, pool, instance),
    audit: new PostgresAuditLog(pool, writes),
    census: new PostgresCensusStore(derived, writes),
    schedules: new PostgresScheduleStore(derived, writes, outbox, pool),
    alerts: new PostgresAlertStore(derived, writes, outbox, claims),
    outbox,
    pickups: new PostgresPickups(derived, writes),
    sip: new PostgresSipStore(derived, writes),
    scheduleSources: new PostgresScheduleSources(derived, writes),
    connectors: new PostgresConnectorStore(derived, writes, outbox),
    sessions: new PostgresSessionStore(derived, writes),
    devices: new PostgresDeviceLogins(derived, writes),
    directory: new PostgresDirectoryOverlay(derived, writes),
    exportState: new PostgresExportState(derived, writes),
    conversations: new PostgresConversationStore(pool, writes),
    leases: new PostgresLeases(pool),
    ruleEdits: new PostgresRuleEdits(pool),
    signInFailures: new PostgresSignInFailures(pool),
    knownSenders: new PostgresKnownSenders(pool, writes),
    durable: () => writes.durable(),
    async close() {
      await writes.durable().catch(() => {});
      await claims.close();
      instance.close();
      await Promise.all([pool.end(), derived.end()]);
    },
  };
}
