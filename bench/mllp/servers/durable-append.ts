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
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { frameMllp, MllpDecoder } from '../../../src/protocols/hl7/mllp.ts';
import { serveInChild } from '../../lib/child-server.ts';
import { controlIdOf, minimalAckSource, unreadableAck } from './minimal-ack.ts';

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
  // Frames of this turn and the ACKs owed for them, in arrival order per socket.
  let bodies: Buffer[] = [];
  let owed: Array<{ socket: Socket; ack: string }> = [];
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
    for (const r of replies) if (!r.socket.destroyed) r.socket.write(frameMllp(r.ack));
  };

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') {
          socket.destroy();
          return;
        }
        const id = controlIdOf(event.body);
        if (id === undefined) {
          socket.write(frameMllp(unreadableAck));
          continue;
        }
        received += 1;
        bodies.push(event.body);
        owed.push({ socket, ack: ack(id) });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushTurn);
        }
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    info: { file },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      closeSync(fd);
      return { received };
    },
  };
});
