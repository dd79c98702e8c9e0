/**
 * Baseline A for the WCTP benchmark: a bare fastify endpoint that reads the same request body the same
 * way (decodeBody + parseWctp from src/protocols/wctp) and answers a wctp-Confirmation from memory. No
 * credentials, no store, no routing: the ceiling HTTP, XML parsing and one Node event loop allow here.
 */
import { serveInChild } from '../../lib/child-server.ts';
import { listenParseOnly } from './parse-app.ts';

serveInChild(async () => {
  const app = await listenParseOnly();
  return {
    port: app.port,
    async stop() {
      await app.close();
      return { parsed: app.parsed() };
    },
  };
});
