import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/port.ts';
import { type Account, type ApiToken, registerAuth } from './auth.ts';
import { messageRoutes } from './messages.ts';
import { openApiRoute, registerOpenApi } from './openapi.ts';
import { answerError, registerRequestErrors } from './request-errors.ts';
import type { SessionKeeper } from './sessions.ts';
import type { PasswordSignIn } from './sign-in.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The handler puts every write its answer reports on the disk before it answers, so the server need
     * not wait for the disk again before sending it.
     */
    answersDurably?: boolean;
  }
}

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
    sessions: SessionKeeper;
    personName: (id: string) => string | undefined;
    signIn: PasswordSignIn;
    localAccounts?: () => boolean;
    personActive?: (personId: string) => boolean;
  };
  /**
   * Which instance this is among several on one database, and what it holds of the shared services
   * (health shows it, so a load balancer's operator can tell the instances apart).
   */
  cluster?: () => Record<string, unknown>;
  /** Load balancers whose X-Forwarded-For gives the client's address (`http.trustedProxies`). */
  trustedProxies?: readonly string[];
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
    // req.ip is then the address the nearest untrusted hop sent from: sign-in limits, sessions' addresses
    // and WCTP senders count the client, not the balancer every client comes through.
    trustProxy: deps.trustedProxies?.length ? [...deps.trustedProxies] : false,
    // Every bad field at once, not the first. The cost ajv warns of grows with array items checked; no
    // route schema here walks an array of a request, and bodies are bounded by bodyLimit.
    ajv: { customOptions: { allErrors: true } },
    frameworkErrors: answerError,
  });
  registerRequestErrors(app);
  await registerOpenApi(app);

  registerAuth(app, deps.auth);
  await openApiRoute(app);

  // A change someone was told succeeded (an acknowledgement, a rule edit, a pushed schedule) is on the
  // disk before the answer leaves: derived writes resolve at commit, so wait for the disk here. A route
  // that declares `answersDurably` has already waited for its own writes; waiting again here would add a
  // second flush, for whatever other work committed meanwhile, to every answer (WCTP: bench/wctp.ts).
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.routeOptions.config?.answersDurably !== true)
      await deps.store.durable();
    // Answers carry PHI: no browser or proxy keeps a copy unless a route says otherwise (the pages do).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        summary: "Each listener's state: 200 when all listen, 503 when one does not",
        tags: ['health'],
      },
    },
    async (_req, reply) => {
      const listeners = Object.fromEntries(deps.listeners.map((l) => [l.name, l.health()]));
      const ok = Object.values(listeners).every((l) => l.state === 'listening');
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', store: deps.store.kind, listeners, ...deps.cluster?.() });
    },
  );

  messageRoutes(
    app,
    deps.store,
    (req) => (req as { user?: { username: string } }).user?.username ?? 'unknown',
  );
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
