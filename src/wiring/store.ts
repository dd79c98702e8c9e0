import type { Logger } from 'pino';
import type { SwitchboardConfig } from '../config/types.ts';
import type { Store } from '../store/port.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';

/**
 * Opens the store the configuration names: the embedded SQLite file in the data folder (the default),
 * or the PostgreSQL database several instances share (`store.driver: postgres`, `store.url`, or the
 * DATABASE_URL variable when the url is not configured).
 */
export async function openConfiguredStore(
  config: SwitchboardConfig['store'],
  dataDir: string,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<Store> {
  if (config.driver === 'sqlite') return openSqliteStore(dataDir, log);
  const url = config.url ?? env.DATABASE_URL;
  if (!url)
    throw new Error(
      'store.driver is postgres but no database is named: set store.url (in the environment, SWITCHBOARD_STORE_URL) or DATABASE_URL',
    );
  return openPostgresStore(url, { log, schema: config.schema });
}
