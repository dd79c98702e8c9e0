/**
 * Switchboard itself, started the way `switchboard start` does it (bench/lib/switchboard-child.ts), on
 * SQLite in the data folder the parent gives, with no settings from the environment. The ACK figures are
 * those of the ingest path (the MLLP thread frames, parses the header, journals durably with group commit
 * and ACKs in order; the main thread stores the row and routes it), and the routing core runs in the same
 * process as it does in production: with no rules folder every message ends `unrouted`, and ADT still
 * updates the census. Routing is asynchronous to the ACK, so when asked to stop the child first waits
 * for the routing backlog to drain and reports how long that took.
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder>.
 */
import { join } from 'node:path';
import { serveSwitchboardInChild } from '../../lib/switchboard-child.ts';

serveSwitchboardInChild({
  env: {},
  info: (_running, dataDir) => ({ database: join(dataDir, 'switchboard.db'), table: 'messages' }),
});
