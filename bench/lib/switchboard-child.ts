/**
 * Switchboard as the server of a benchmark's child process (launchServer forks the file, argument
 * --data-dir <folder>), started the way `switchboard start` does it: startSwitchboard from src/main.ts
 * with a config folder written into the data folder. Only the MLLP listener is on (loopback, an
 * ephemeral port), HTTP off, logging silent. Routing is asynchronous to the ACK, so a stop first waits
 * for the routing backlog to drain and reports how long that took (`routingDrainMs`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type RunningSwitchboard, startSwitchboard } from '../../src/main.ts';
import { serveInChild } from './child-server.ts';

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

export interface SwitchboardChildOptions {
  /** The environment Switchboard reads its settings from (the store, for one). */
  env: NodeJS.ProcessEnv;
  /** What the parent is told about the running instance. */
  info(running: RunningSwitchboard, dataDir: string): Record<string, unknown>;
}

/** Call once at the top level of a server file that launchServer forks. */
export function serveSwitchboardInChild(options: SwitchboardChildOptions): void {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  serveInChild(async () => {
    const dataDir = values['data-dir'];
    if (!dataDir) throw new Error('--data-dir is required');
    // The config lives inside the data folder, which the parent removes even when this child was killed.
    const configDir = join(dataDir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'switchboard.yaml'), siteConfig);
    const running = await startSwitchboard({ configDir, dataDir, env: options.env });
    if (!running.mllp) throw new Error('the MLLP listener did not start');
    return {
      port: running.mllp.port,
      info: options.info(running, dataDir),
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
}
