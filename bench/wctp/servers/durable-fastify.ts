/**
 * Baseline B for the WCTP benchmark: the durable floor. Baseline A (bare-fastify.ts: fastify, decodeBody,
 * parseWctp, a confirmation from memory), plus what "confirm only what is on the disk" costs at the
 * least: each request body appended to a file whose space was allocated beforehand, one fdatasync shared
 * by every request of one turn of the event loop, then the confirmations. No store, no index, no
 * routing: no WCTP gateway that keeps its promise to the sender is faster on this disk, so at one sender
 * (a request waits for the previous one's confirmation) B's rate is the ceiling, whatever A's is.
 *
 * Forked by bench/wctp.ts through launchServer; argument: --data-dir <folder> (the file goes there). The
 * file wraps around inside its allocated space; the figure is about speed, not about keeping the bytes.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import {
  buildConfirmation,
  decodeBody,
  parseWctp,
  wctpFailure,
  wctpSuccess,
} from '../../../src/protocols/wctp/index.ts';
import { serveInChild } from '../../lib/child-server.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

/** Allocated once before the run; larger than any one turn's batch. */
const FILE_BYTES = 64 * 1024 * 1024;

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const fd = openSync(join(dataDir, 'append.log'), 'w+');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let at = 0; at < FILE_BYTES; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fdatasyncSync(fd);

  let position = 0;
  // Bodies of this turn, and the confirmations waiting for their flush.
  let bodies: Buffer[] = [];
  let waiting: Array<() => void> = [];
  const flushTurn = () => {
    const batch = Buffer.concat(bodies);
    bodies = [];
    if (position + batch.length > FILE_BYTES) position = 0;
    writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    fdatasyncSync(fd);
    const flushed = waiting;
    waiting = [];
    for (const done of flushed) done();
  };
  const onDisk = (body: Buffer) =>
    new Promise<void>((resolve) => {
      bodies.push(body);
      waiting.push(resolve);
      if (waiting.length === 1) setImmediate(flushTurn);
    });

  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  let parsed = 0;
  app.post('/wctp', async (req, reply) => {
    let answer: string;
    try {
      const request = parseWctp(decodeBody(req.body as Buffer, req.headers['content-type']));
      await onDisk(req.body as Buffer);
      parsed += request.operation === 'SubmitRequest' ? 1 : 0;
      answer = buildConfirmation(wctpSuccess(200, 'accepted'));
    } catch {
      answer = buildConfirmation(wctpFailure(301));
    }
    return reply.header('content-type', 'text/xml; charset=utf-8').send(answer);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return {
    port,
    async stop() {
      await app.close();
      closeSync(fd);
      return { parsed };
    },
  };
});
