import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { sendProblem } from '../problem.ts';
import { InterfaceTraffic } from './interface-traffic.ts';
import type { OperationsView } from './operations-view.ts';

/** ACK decisions are milliseconds on a healthy disk; the upper buckets catch a stalled fdatasync. */
const ACK_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The Prometheus registry: process metrics (CPU, memory, event-loop lag, GC) from prom-client, per
 * listener and sender counters and ACK times fed by the listeners' batches, and gauges read from the
 * store when scraped (routing backlog and times, alerts, escalation lateness, outbox and connector
 * queues, schedule sources).
 */
export class SwitchboardMetrics {
  readonly registry = new Registry();
  readonly traffic: InterfaceTraffic;
  private view?: OperationsView;

  constructor(
    quietMinutes: (sender: string) => number,
    now: () => number = Date.now,
    expectedSenders: readonly string[] = [],
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    const labelNames = ['listener', 'sender'] as const;
    const registers = [this.registry];
    this.traffic = new InterfaceTraffic(
      {
        messages: new Counter({
          name: 'switchboard_messages_received_total',
          help: 'Messages answered per listener and sender',
          labelNames,
          registers,
        }),
        naks: new Counter({
          name: 'switchboard_naks_total',
          help: 'Messages answered AE/AR/CE/CR per listener and sender',
          labelNames,
          registers,
        }),
        ackSeconds: new Histogram({
          name: 'switchboard_ack_seconds',
          help: 'Time from a frame read to its ACK decided (the message durable), per listener and sender',
          labelNames,
          buckets: ACK_BUCKETS,
          registers,
        }),
      },
      quietMinutes,
      now,
      expectedSenders,
    );
    const self = this;
    // Read at scrape time from one snapshot (operations-view.ts caches it for a second), not kept up to date.
    const snapshotGauge = (
      name: string,
      help: string,
      labels: readonly string[],
      fill: (g: Gauge<string>, s: Awaited<ReturnType<OperationsView['snapshot']>>) => void,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: labels,
        registers,
        async collect() {
          if (!self.view) return;
          this.reset();
          fill(this, await self.view.snapshot());
        },
      });
    snapshotGauge('switchboard_routing_backlog', 'Messages received and not yet routed', [], (g, s) =>
      g.set(s.routing.backlog),
    );
    snapshotGauge(
      'switchboard_messages_by_status',
      'Messages received in the last 24 hours by routing status',
      ['status'],
      (g, s) => {
        for (const [status, n] of Object.entries(s.routing.lastDay)) g.set({ status }, n);
      },
    );
    snapshotGauge(
      'switchboard_routing_seconds',
      'Received to routed, over the last 500 messages routed in the hour',
      ['quantile'],
      (g, s) => {
        if (s.routing.routeP50Ms !== null) g.set({ quantile: '0.5' }, s.routing.routeP50Ms / 1000);
        if (s.routing.routeP99Ms !== null) g.set({ quantile: '0.99' }, s.routing.routeP99Ms / 1000);
      },
    );
    snapshotGauge('switchboard_alerts_open', 'Alerts open (not acknowledged or closed)', [], (g, s) =>
      g.set(s.alerts.open),
    );
    snapshotGauge(
      'switchboard_escalation_lateness_seconds',
      'How far past its time the earliest escalation step is (0 when on time)',
      [],
      (g, s) => g.set(s.alerts.escalationLatenessSeconds),
    );
    snapshotGauge(
      'switchboard_outbox_deliveries',
      'Deliveries waiting (queued, retrying) or dead, per channel (connectors are channels too)',
      ['channel', 'state'],
      (g, s) => {
        for (const q of s.outbox)
          for (const state of ['queued', 'retrying', 'dead'] as const)
            g.set({ channel: q.channel, state }, q[state]);
      },
    );
    snapshotGauge(
      'switchboard_schedule_source_age_seconds',
      'Seconds since each scheduling source last synced successfully',
      ['source', 'state'],
      (g, s) => {
        for (const src of s.scheduleSources)
          if (src.sinceSuccessSeconds !== null)
            g.set({ source: src.id, state: src.state }, src.sinceSuccessSeconds);
      },
    );
    snapshotGauge(
      'switchboard_listener_up',
      'Whether each listener listens (1) or not (0)',
      ['listener'],
      (g, s) => {
        for (const l of s.listeners) g.set({ listener: l.name }, l.up ? 1 : 0);
      },
    );
    snapshotGauge(
      'switchboard_listener_connections',
      'Open connections per listener',
      ['listener'],
      (g, s) => {
        for (const l of s.listeners) if (l.connections !== null) g.set({ listener: l.name }, l.connections);
      },
    );
  }

  /** Where the scrape-time gauges read from (set once the store and listeners are wired). */
  readFrom(view: OperationsView): void {
    this.view = view;
  }
}

/**
 * GET /metrics in the Prometheus text format. With a token, only a request bearing it is answered; a
 * site without one puts /metrics on a port of its own (metrics.port), which it keeps to its monitors.
 */
export function metricsRoute(app: FastifyInstance, metrics: SwitchboardMetrics, token: string | undefined) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Prometheus metrics (bearer token metrics.token, or on metrics.port)',
        tags: ['health'],
        hide: true,
      },
    },
    async (req, reply) => {
      if (expected) {
        const given = Buffer.from(req.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          reply.header('www-authenticate', 'Bearer realm="metrics", error="invalid_token"');
          return sendProblem(reply, 401, 'invalidToken', 'The metrics token is missing or wrong');
        }
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
