/**
 * One Switchboard instance on the shared PostgreSQL store, for bench/cluster.ts: started the way
 * `switchboard start` does it, MLLP on an ephemeral port, HTTP off, the store from the environment
 * (SWITCHBOARD_STORE_DRIVER, SWITCHBOARD_STORE_URL, SWITCHBOARD_STORE_SCHEMA the parent sets). Like
 * bench/mllp/servers/switchboard.ts, a stop first waits for routing to drain and reports how long.
 *
 * Forked through launchServer; argument: --data-dir <folder>.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSwitchboard } from '../../src/main.ts';
import { serveInChild } from '../lib/child-server.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

const siteConfig = `site:
  name: Benchmark Hospital
  timezone: America/New_York
  facility: BENCH
listeners:
  mllp:
    host: 127.0.0.1
    port: 0
http:
  enabled: false
log:
  level: silent
`;

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const configDir = join(dataDir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'switchboard.yaml'), siteConfig);
  const running = await startSwitchboard({ configDir, dataDir, env: process.env });
  if (!running.mllp) throw new Error('the MLLP listener did not start');
  return {
    port: running.mllp.port,
    info: { store: running.store.kind },
    async stop() {
      const drainStartedAt = performance.now();
      await running.ingested();
      await running.routing.router.drained();
      const routingDrainMs = performance.now() - drainStartedAt;
      await running.stop();
      return { routingDrainMs };
    },
  };
});
