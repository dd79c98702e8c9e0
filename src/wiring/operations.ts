import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { metricsRoute, SwitchboardMetrics } from '../api/operations/metrics.ts';
import { OperationsView } from '../api/operations/operations-view.ts';
import { healthRoutes, operationsRoutes } from '../api/operations/routes.ts';
import type { HealthSource } from '../api/server.ts';
import type { MetricsConfig, OperationsConfig } from '../config/operations-schema.ts';
import type { TrafficBatch } from '../listeners/mllp/traffic-tally.ts';
import type { Store } from '../store/port.ts';

export interface WiredOperations {
  /** What a listener hands over each half second (MllpIngest / MllpDirect onTraffic). */
  onTraffic: (listener: string) => (batch: TrafficBatch) => void;
  /** Binds the figures to the store and the listeners, once they exist. */
  watch(deps: { health: readonly HealthSource[]; backlog: () => number; now: () => Date }): void;
  /** Health, readiness, the dashboard API, and /metrics when it shares the HTTP port. */
  routes(app: FastifyInstance): void;
  /** Starts the metrics port when metrics.port is set. */
  start(): Promise<{ host: string; port: number } | undefined>;
  /** Ready from now on (everything started). */
  started(): void;
  stop(): Promise<void>;
}

/** The operations side: Prometheus metrics, liveness/readiness and the analyst dashboard's figures. */
export function wireOperations(o: {
  metrics: MetricsConfig;
  operations: OperationsConfig;
  store: Store;
  log: Logger;
}): WiredOperations {
  const quiet = o.operations.quietMinutes;
  const metrics = new SwitchboardMetrics(
    (sender) => quiet.senders[sender] ?? quiet.default,
    Date.now,
    Object.keys(quiet.senders),
  );
  let view: OperationsView | undefined;
  let health: readonly HealthSource[] = [];
  let serving = false;
  let own: FastifyInstance | undefined;
  const onOwnPort = o.metrics.enabled && o.metrics.port !== undefined;
  if (o.metrics.enabled && !o.metrics.token && !onOwnPort)
    o.log.warn('metrics.enabled without a token or a port of its own: /metrics answers anyone');
  return {
    onTraffic: (listener) => (batch) => metrics.traffic.add(listener, batch),
    watch(deps) {
      health = deps.health;
      view = new OperationsView({
        listeners: deps.health,
        backlog: deps.backlog,
        messages: o.store.messages,
        alerts: o.store.alerts,
        outbox: o.store.outbox,
        now: deps.now,
      });
      metrics.readFrom(view);
    },
    routes(app) {
      healthRoutes(app, {
        serving: () => serving,
        get listeners() {
          return health;
        },
        storeFlushes: () => o.store.durable(),
        storeAnswers: () => o.store.alerts.nextTimerDue(),
      });
      if (view) operationsRoutes(app, { view, traffic: metrics.traffic });
      if (o.metrics.enabled && !onOwnPort) metricsRoute(app, metrics, o.metrics.token);
    },
    async start() {
      if (!onOwnPort) return undefined;
      own = Fastify({ logger: false });
      metricsRoute(own, metrics, o.metrics.token);
      await own.listen({ host: o.metrics.host, port: o.metrics.port });
      const addr = own.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : (o.metrics.port ?? 0);
      o.log.info({ host: o.metrics.host, port }, 'metrics ready');
      return { host: o.metrics.host, port };
    },
    started() {
      serving = true;
    },
    async stop() {
      serving = false;
      await own?.close();
    },
  };
}
