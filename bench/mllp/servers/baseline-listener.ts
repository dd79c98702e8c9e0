/**
 * The socket side the baseline servers (A, B, C) share: node:net on 127.0.0.1, our MLLP framing, Nagle off,
 * a frame that is not one (past no limit here, so only junk) closes the connection. Each baseline says
 * what it does with a frame: `onFrame` gets the body and MSH-10 (undefined when unreadable) and answers
 * through `reply`, at once or later.
 */
import { createServer, type Socket } from 'node:net';
import { frameMllp, MllpDecoder } from '../../../src/protocols/hl7/mllp.ts';
import { controlIdOf } from './minimal-ack.ts';

export interface BaselineListener {
  port: number;
  close(): Promise<void>;
}

export type Reply = (ack: string) => void;

export async function listenBaseline(
  onFrame: (body: Buffer, controlId: string | undefined, reply: Reply) => void,
): Promise<BaselineListener> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    const decoder = new MllpDecoder();
    const reply: Reply = (ack) => {
      if (!socket.destroyed) socket.write(frameMllp(ack));
    };
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind !== 'frame') {
          socket.destroy();
          return;
        }
        onFrame(event.body, controlIdOf(event.body), reply);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
