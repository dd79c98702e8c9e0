/**
 * WCTP over HTTP (WCTP 1.3, "HTTP transport"): POST only (405 otherwise, with Allow: POST), a text/xml
 * body (also application/xml, a form-encoded field holding the XML, or no content type; 415 for anything
 * else), a body limit (413). Every WCTP outcome, refusals included, is HTTP 200 with a text/xml answer.
 */
import type { FastifyInstance } from 'fastify';
import type { WctpGateway } from './gateway.ts';

const ACCEPTED_TYPES = new Set([
  'text/xml',
  'application/xml',
  'application/x-www-form-urlencoded',
  'text/plain',
]);

export function wctpRoutes(
  app: FastifyInstance,
  gateway: Pick<WctpGateway, 'handle'>,
  options: { path?: string; maxBodyBytes: number },
): Promise<void> {
  return register(app, gateway, options);
}

async function register(
  app: FastifyInstance,
  gateway: Pick<WctpGateway, 'handle'>,
  options: { path?: string; maxBodyBytes: number },
): Promise<void> {
  const path = options.path ?? '/wctp';
  // Registered in its own scope so that our raw-body parsers never touch the JSON API.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
      (_req, body, done) => done(null, body),
    );
    // WCTP senders prove who they are inside the message (senderID and securityCode), not by session.
    // The gateway answers only once what the answer reports is on the disk (a message stored, a poll's
    // pickups cleared), so the server does not wait for a flush of its own on top.
    scope.post(
      path,
      { bodyLimit: options.maxBodyBytes, config: { access: 'public', answersDurably: true } },
      async (req, reply) => {
        const contentType = req.headers['content-type'];
        const media = contentType?.split(';')[0]?.trim().toLowerCase();
        if (media && !ACCEPTED_TYPES.has(media)) {
          return reply
            .code(415)
            .header('content-type', 'text/plain; charset=utf-8')
            .send('WCTP takes text/xml (or a form field holding the XML)\n');
        }
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const answer = await gateway.handle(
          body,
          contentType,
          // req.ip: the client's address behind a trusted load balancer (http.trustedProxies).
          `${req.ip}:${req.socket.remotePort}`,
        );
        return reply.code(200).header('content-type', 'text/xml; charset=utf-8').send(answer);
      },
    );
    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: path,
      config: { access: 'public' },
      handler: async (_req, reply) =>
        reply
          .code(405)
          .header('allow', 'POST')
          .header('content-type', 'text/plain; charset=utf-8')
          .send('WCTP is POST only\n'),
    });
  });
}
