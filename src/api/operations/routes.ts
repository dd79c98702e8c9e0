import type { FastifyInstance } from 'fastify';
import { STAFF } from '../access.ts';
import type { HealthSource } from '../server.ts';
import type { InterfaceTraffic } from './interface-traffic.ts';
import type { OperationsView } from './operations-view.ts';

export interface Readiness {
  /** False until every part is started (journal replayed, listeners bound, routing recovered), and once a stop begins. */
  serving(): boolean;
  listeners: readonly HealthSource[];
  /** Resolves once the store has every write so far on the disk; rejects or hangs when it cannot. */
  storeFlushes: () => Promise<void>;
  /** A small read that fails when the store is closed or broken. */
  storeAnswers: () => Promise<unknown>;
}

/** A store that takes longer than this to flush is not ready for traffic, whatever it says later. */
const STORE_PATIENCE_MS = 2000;

/**
 * Liveness and readiness for load balancers and orchestrators (public; they carry no PHI):
 * - /api/health/live: the process answers its HTTP port (restart it when this fails);
 * - /api/health/ready: it can take traffic now: started, the store reads and flushes, every listener
 *   bound. 503 with the reasons otherwise (send traffic elsewhere, do not restart).
 * /api/health (server.ts) stays as it was: each listener's state.
 */
export function healthRoutes(app: FastifyInstance, ready: Readiness) {
  app.get(
    '/api/health/live',
    {
      config: { access: 'public' },
      schema: { summary: 'Liveness: the process answers', tags: ['health'] },
    },
    async () => ({ status: 'live' }),
  );
  app.get(
    '/api/health/ready',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Readiness: started, store writable, listeners bound; 503 with the reasons otherwise',
        tags: ['health'],
      },
    },
    async (_req, reply) => {
      const reasons: string[] = [];
      if (!ready.serving()) reasons.push('not started, or stopping');
      for (const l of ready.listeners) {
        if (l.name === 'schedule-sources') continue; // a stale source is a warning, not a reason to stop traffic
        const h = l.health() as { state: string; error?: string };
        if (h.state !== 'listening') reasons.push(`${l.name} is ${h.state}${h.error ? `: ${h.error}` : ''}`);
      }
      const store = await withinPatience(async () => {
        await ready.storeAnswers();
        await ready.storeFlushes();
      });
      if (store) reasons.push(`store: ${store}`);
      const ok = reasons.length === 0;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', reasons });
    },
  );
}

async function withinPatience(work: () => Promise<void>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${STORE_PATIENCE_MS} ms`), STORE_PATIENCE_MS);
  });
  try {
    return await Promise.race([
      work().then(
        () => undefined,
        (err: Error) => err.message || 'failed',
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dashboard's figures: listeners, interfaces (per sender), routing, alerts, queues, schedule sources. */
export function operationsRoutes(
  app: FastifyInstance,
  deps: { view: OperationsView; traffic: InterfaceTraffic },
) {
  app.get(
    '/api/operations',
    {
      config: { access: STAFF },
      schema: {
        summary:
          'Operations dashboard: listeners, per-sender traffic (per minute over the hour, ACK p50/p99, NAKs, quiet warnings), routing, alerts, queues, schedule sources',
        tags: ['operations'],
      },
    },
    async () => ({ ...(await deps.view.snapshot()), interfaces: deps.traffic.figures() }),
  );
}
