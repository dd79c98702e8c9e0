/**
 * Baseline A: a bare MLLP server that acknowledges from memory. Node's `net`, our MLLP framing, the
 * minimal ACK; no parsing past MSH-10, no disk. Its figures are the ceiling that loopback TCP, framing
 * and one Node event loop allow on this machine; anything Switchboard does costs time below it.
 *
 * Forked by bench/mllp.ts through launchServer.
 */
import { createServer, type Socket } from 'node:net';
import { frameMllp, MllpDecoder } from '../../../src/protocols/hl7/mllp.ts';
import { serveInChild } from '../../lib/child-server.ts';
import { controlIdOf, minimalAckSource, unreadableAck } from './minimal-ack.ts';

serveInChild(async () => {
  const ack = minimalAckSource();
  let received = 0;
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
        received += 1;
        const id = controlIdOf(event.body);
        socket.write(frameMllp(id === undefined ? unreadableAck : ack(id)));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return { received };
    },
  };
});
