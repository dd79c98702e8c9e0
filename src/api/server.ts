import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/port.ts';
import { type Account, type ApiToken, registerAuth } from './auth.ts';
import { messageRoutes } from './messages.ts';
import { sendProblem } from './problem.ts';
import type { SessionSigner } from './sessions.ts';
import type { PasswordSignIn } from './sign-in.ts';

export interface HealthSource {
  name: string;
  health(): { state: string };
}

export interface ApiDeps {
  store: Store;
  log: Logger;
  listeners: HealthSource[];
  auth: {
    accounts: () => readonly Account[];
    apiTokens: () => readonly ApiToken[];
    signer: SessionSigner;
    personName: (id: string) => string | undefined;
    signIn: PasswordSignIn;
  };
  /** Further routes (alerts, schedules, rules, pages, WCTP…), registered after authentication. */
  plugins?: Array<(app: FastifyInstance) => void | Promise<void>>;
}

/** The HTTP front door: REST API under /api, the clinician WebSocket, the pages at /, and WCTP. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Request lines carry URLs such as /api/patients/MRN: never logged (PHI).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(
      reply,
      status,
      status >= 500 ? 'Internal error' : 'Bad request',
      status >= 500 ? undefined : err.message,
    );
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 404, 'Not found', `no route for ${req.method} ${req.url.split('?')[0]}`),
  );

  registerAuth(app, deps.auth);

  // A change someone was told succeeded (an acknowledgement, a rule edit, a pushed schedule) is on the
  // disk before the answer leaves: derived writes resolve at commit, so wait for the disk here.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') await deps.store.durable();
    // Answers carry PHI: no browser or proxy keeps a copy unless a route says otherwise (the pages do).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/api/health', { config: { access: 'public' } }, async (_req, reply) => {
    const listeners = Object.fromEntries(deps.listeners.map((l) => [l.name, l.health()]));
    const ok = Object.values(listeners).every((l) => l.state === 'listening');
    return reply
      .code(ok ? 200 : 503)
      .send({ status: ok ? 'ok' : 'degraded', store: deps.store.kind, listeners });
  });

  messageRoutes(
    app,
    deps.store,
    (req) => (req as { user?: { username: string } }).user?.username ?? 'unknown',
  );
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
