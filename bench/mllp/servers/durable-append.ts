/**
 * Baseline C: the durable floor. Receive, append the raw message to a file whose space was allocated
 * beforehand (zero-filled, so the disk has no size or block-map metadata to update), fdatasync, then
 * acknowledge. Frames that arrive in one turn of the event loop, from every connection, share one write
 * and one fdatasync (group commit), the cheapest way to keep "ACK after the bytes are on the disk".
 *
 * No SQLite, no index, no parsing past MSH-10, no recovery, no routing: nothing a message router can do
 * while keeping that promise is faster on this disk, so its one-connection figure is the ceiling for a
 * stop-and-wait sender (one network round trip plus one flush per message).
 *
 * Forked by bench/mllp.ts through launchServer; argument: --data-dir <folder> (the file goes there). The
 * file wraps around inside its allocated space; the figure is about speed, not about keeping the bytes.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveInChild } from '../../lib/child-server.ts';
import { listenBaseline, type Reply } from './baseline-listener.ts';
import { minimalAckSource, unreadableAck } from './minimal-ack.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

/** Allocated once before the run; larger than any one turn's batch. */
const FILE_BYTES = 64 * 1024 * 1024;

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const file = join(dataDir, 'append.log');
  const fd = openSync(file, 'w+');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < FILE_BYTES; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fdatasyncSync(fd);

  const ack = minimalAckSource();
  let position = 0;
  let received = 0;
  // Frames of this turn and the ACKs owed for them, in arrival order per connection.
  let bodies: Buffer[] = [];
  let owed: Array<{ reply: Reply; ack: string }> = [];
  let scheduled = false;

  const flushTurn = () => {
    scheduled = false;
    const batch = Buffer.concat(bodies);
    bodies = [];
    if (position + batch.length > FILE_BYTES) position = 0;
    writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    fdatasyncSync(fd);
    const replies = owed;
    owed = [];
    for (const r of replies) r.reply(r.ack);
  };

  const listener = await listenBaseline((body, id, reply) => {
    if (id === undefined) {
      reply(unreadableAck);
      return;
    }
    received += 1;
    bodies.push(body);
    owed.push({ reply, ack: ack(id) });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushTurn);
    }
  });
  return {
    port: listener.port,
    info: { file },
    async stop() {
      await listener.close();
      closeSync(fd);
      return { received };
    },
  };
});
