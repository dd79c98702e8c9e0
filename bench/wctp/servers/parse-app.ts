/**
 * The WCTP bench's baselines (A bare-fastify.ts, B durable-fastify.ts): a fastify endpoint that reads the
 * request body the way the gateway does (decodeBody + parseWctp from src/protocols/wctp) and answers a
 * wctp-Confirmation, after `beforeConfirm` when one is given (B's flush).
 */
import Fastify from 'fastify';
import {
  buildConfirmation,
  decodeBody,
  parseWctp,
  wctpFailure,
  wctpSuccess,
} from '../../../src/protocols/wctp/index.ts';

export async function listenParseOnly(
  beforeConfirm?: (body: Buffer) => Promise<void>,
): Promise<{ port: number; parsed: () => number; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  let parsed = 0;
  app.post('/wctp', async (req, reply) => {
    let answer: string;
    try {
      const request = parseWctp(decodeBody(req.body as Buffer, req.headers['content-type']));
      await beforeConfirm?.(req.body as Buffer);
      parsed += request.operation === 'SubmitRequest' ? 1 : 0;
      answer = buildConfirmation(wctpSuccess(200, 'accepted'));
    } catch {
      answer = buildConfirmation(wctpFailure(301));
    }
    return reply.header('content-type', 'text/xml; charset=utf-8').send(answer);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: (app.server.address() as { port: number }).port,
    parsed: () => parsed,
    close: () => app.close(),
  };
}
