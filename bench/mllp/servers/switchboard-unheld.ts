/**
 * Switchboard as `switchboard.ts` starts it, with one setting changed: `routing.pacing.maxBacklog: 0`, so
 * the MLLP listener never holds its senders for routing to catch up. Its ACK rate is what the ingest path
 * alone can acknowledge (the thread's framing, journal and ACKs, with the main thread storing and routing
 * behind it); the shipped setting acknowledges no faster than routing goes, and this cell shows what that
 * costs the ACK figure.
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder>.
 */
import { join } from 'node:path';
import { serveSwitchboardInChild } from '../../lib/switchboard-child.ts';

serveSwitchboardInChild({
  env: { SWITCHBOARD_ROUTING_PACING_MAX_BACKLOG: '0' },
  info: (_running, dataDir) => ({ database: join(dataDir, 'switchboard.db'), table: 'messages' }),
});
