/**
 * Switchboard with its WCTP gateway: startSwitchboard from src/main.ts on the config folder the parent
 * wrote (one always-on tech and nurse for 4W 401-A, the nurse-call table, the bench sender), HTTP on
 * loopback, MLLP off, logging silent. Arguments: --config-dir <folder> --data-dir <folder>.
 */
import { parseArgs } from 'node:util';
import { startSwitchboard } from '../../../src/main.ts';
import { serveInChild } from '../../lib/child-server.ts';

const { values } = parseArgs({
  options: { 'config-dir': { type: 'string' }, 'data-dir': { type: 'string' } },
});

serveInChild(async () => {
  const configDir = values['config-dir'];
  const dataDir = values['data-dir'];
  if (!configDir || !dataDir) throw new Error('--config-dir and --data-dir are required');
  const running = await startSwitchboard({ configDir, dataDir, env: {} });
  if (!running.http) throw new Error('HTTP did not start');
  return {
    port: running.http.port,
    async stop() {
      const drainStartedAt = performance.now();
      await running.routing.router.drained();
      const routingDrainMs = performance.now() - drainStartedAt;
      await running.stop();
      return { routingDrainMs };
    },
  };
});
