/**
 * Baseline C: the durable floor. Receive, append the raw message to a file whose space was allocated
 * beforehand, fdatasync, then acknowledge; frames that arrive in one turn of the event loop, from every
 * connection, share one write and one fdatasync (bench/lib/append-file.ts).
 *
 * No SQLite, no index, no parsing past MSH-10, no recovery, no routing: nothing a message router can do
 * while keeping that promise is faster on this disk, so its one-connection figure is the ceiling for a
 * stop-and-wait sender (one network round trip plus one flush per message).
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder> (the file goes there).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppendFile } from '../../lib/append-file.ts';
import { serveInChild } from '../../lib/child-server.ts';
import { listenBaseline } from './baseline-listener.ts';
import { minimalAckSource, unreadableAck } from './minimal-ack.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const file = join(dataDir, 'append.log');
  const appended = openAppendFile(file);
  const ack = minimalAckSource();
  let received = 0;
  const listener = await listenBaseline((body, id, reply) => {
    if (id === undefined) {
      reply(unreadableAck);
      return;
    }
    received += 1;
    const answer = ack(id);
    appended.append(body, () => reply(answer));
  });
  return {
    port: listener.port,
    info: { file },
    async stop() {
      await listener.close();
      appended.close();
      return { received };
    },
  };
});
