/**
 * Switchboard itself, started the way `switchboard start` does it (startSwitchboard from src/main.ts), with
 * a config folder written here and the data folder the parent gives. Only the MLLP listener is on (HTTP
 * off), logging silent. The ACK figures are those of the ingest path (the MLLP thread frames, parses the
 * header, journals durably with group commit and ACKs in order; the main thread stores the row and routes
 * it), and the routing core runs in the same process as it does in production: with no rules folder every message ends `unrouted`, and ADT still
 * updates the census. Routing is asynchronous to the ACK, so when asked to stop the child first waits
 * for the routing backlog to drain and reports how long that took.
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder>.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSwitchboard } from '../../../src/main.ts';
import { serveInChild } from '../../lib/child-server.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

/** The smallest site config the loader accepts, on loopback and an ephemeral port. */
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
  // The config lives inside the data folder, which the parent removes even when this child was killed.
  const configDir = join(dataDir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'switchboard.yaml'), siteConfig);
  const running = await startSwitchboard({ configDir, dataDir, env: {} });
  if (!running.mllp) throw new Error('the MLLP listener did not start');
  return {
    port: running.mllp.port,
    info: { database: join(dataDir, 'switchboard.db'), table: 'messages' },
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
