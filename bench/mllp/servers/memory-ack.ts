/**
 * Baseline A: a bare MLLP server that acknowledges from memory. Node's `net`, our MLLP framing, the
 * minimal ACK; no parsing past MSH-10, no disk. Its figures are the ceiling that loopback TCP, framing and
 * one Node event loop allow on this machine; anything Switchboard does costs time below it.
 *
 * Forked by bench/mllp.ts through launchServer.
 */
import { serveInChild } from '../../lib/child-server.ts';
import { listenBaseline } from './baseline-listener.ts';
import { minimalAckSource, unreadableAck } from './minimal-ack.ts';

serveInChild(async () => {
  const ack = minimalAckSource();
  let received = 0;
  const listener = await listenBaseline((_body, id, reply) => {
    received += 1;
    reply(id === undefined ? unreadableAck : ack(id));
  });
  return {
    port: listener.port,
    async stop() {
      await listener.close();
      return { received };
    },
  };
});
