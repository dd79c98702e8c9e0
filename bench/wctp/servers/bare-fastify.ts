/**
 * Baseline for the WCTP benchmark: a bare fastify endpoint that reads the same request body the same
 * way (decodeBody + parseWctp from src/protocols/wctp) and answers a wctp-Confirmation from memory. No
 * credentials, no store, no routing: the ceiling HTTP, XML parsing and one Node event loop allow here.
 */
import Fastify from 'fastify';
import {
  buildConfirmation,
  decodeBody,
  parseWctp,
  wctpFailure,
  wctpSuccess,
} from '../../../src/protocols/wctp/index.ts';
import { serveInChild } from '../../lib/child-server.ts';

serveInChild(async () => {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  let parsed = 0;
  app.post('/wctp', async (req, reply) => {
    let answer: string;
    try {
      const request = parseWctp(decodeBody(req.body as Buffer, req.headers['content-type']));
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
      return { parsed };
    },
  };
});
