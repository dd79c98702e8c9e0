import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { buildApi } from './api/server.ts';
import { loadConfig } from './config/load.ts';
import { createLogger } from './config/logger.ts';
import type { SwitchboardConfig } from './config/types.ts';
import { MllpListener } from './listeners/mllp/server.ts';
import { holdInStore } from './routing/inbound-port.ts';
import type { Store } from './store/port.ts';
import { openSqliteStore } from './store/sqlite/index.ts';

export interface StartOptions {
  configDir: string;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

export interface RunningSwitchboard {
  config: SwitchboardConfig;
  store: Store;
  log: Logger;
  mllp?: { host: string; port: number };
  http?: { host: string; port: number };
  stop(): Promise<void>;
}

/** Wires the parts together from a config folder and a data folder, and starts every enabled listener. */
export async function startSwitchboard(options: StartOptions): Promise<RunningSwitchboard> {
  const config = loadConfig(resolve(options.configDir), options.env ?? process.env);
  const log = options.log ?? createLogger(config.log.level);
  if (config.store.driver !== 'sqlite')
    throw new Error(`store driver ${config.store.driver} is not available yet`);
  const store = openSqliteStore(resolve(options.dataDir));
  const inbound = holdInStore;

  const stops: Array<() => Promise<void>> = [];
  const running: RunningSwitchboard = {
    config,
    store,
    log,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch((err) => log.error({ err }, 'stop failed'));
      await store.close();
    },
  };

  try {
    const health = [];
    if (config.listeners.mllp.enabled) {
      const mllp = new MllpListener(config.listeners.mllp, {
        store: store.messages,
        inbound,
        log: log.child({ listener: 'mllp' }),
        application: config.site.application,
        facility: config.site.facility,
      });
      running.mllp = await mllp.start();
      stops.push(() => mllp.stop());
      health.push({ name: 'mllp', health: () => mllp.health() });
    }
    if (config.http.enabled) {
      const app = buildApi({ store, log, listeners: health });
      await app.listen({ host: config.http.host, port: config.http.port });
      const addr = app.server.address();
      running.http = {
        host: config.http.host,
        port: typeof addr === 'object' && addr ? addr.port : config.http.port,
      };
      stops.push(() => app.close());
      log.info(running.http, 'HTTP API ready');
    }
  } catch (err) {
    await running.stop();
    throw err;
  }
  return running;
}
