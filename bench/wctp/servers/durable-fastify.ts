/**
 * Baseline B for the WCTP benchmark: the durable floor. Baseline A (bare-fastify.ts), plus what "confirm
 * only what is on the disk" costs at the least: each request body appended to a file allocated
 * beforehand, one fdatasync shared by every request of one turn of the event loop, then the
 * confirmations (bench/lib/append-file.ts). No store, no index, no routing: no WCTP gateway that keeps
 * its promise to the sender is faster on this disk, so at one sender (a request waits for the previous
 * one's confirmation) B's rate is the ceiling, whatever A's is.
 *
 * Forked by bench/wctp.ts through launchServer; argument: --data-dir <folder> (the file goes there).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppendFile } from '../../lib/append-file.ts';
import { serveInChild } from '../../lib/child-server.ts';
import { listenParseOnly } from './parse-app.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const appended = openAppendFile(join(dataDir, 'append.log'));
  const app = await listenParseOnly((body) => new Promise<void>((flushed) => appended.append(body, flushed)));
  return {
    port: app.port,
    async stop() {
      await app.close();
      appended.close();
      return { parsed: app.parsed() };
    },
  };
});
