import type { AlertStore } from '../../store/alert-port.ts';
import type { OutboxStore } from '../../store/outbox-port.ts';
import type { MessageStatus, MessageStore } from '../../store/port.ts';
import type { HealthSource } from '../server.ts';
import { percentile } from './interface-traffic.ts';

export interface ListenerFigures {
  name: string;
  up: boolean;
  state: string;
  connections: number | null;
  error?: string;
}

export interface OutboxQueue {
  channel: string;
  /** Pending and not yet tried. */
  queued: number;
  /** Pending after a failed attempt, waiting for its next one. */
  retrying: number;
  dead: number;
}

export interface ScheduleSourceFigures {
  id: string;
  state: string;
  lastSuccessAt: string | null;
  sinceSuccessSeconds: number | null;
  lastError: string | null;
}

export interface OperationsSnapshot {
  at: string;
  listeners: ListenerFigures[];
  routing: {
    backlog: number;
    /** Messages received in the last 24 hours, by status (counted at most once a minute). */
    lastDay: Record<MessageStatus, number>;
    routeP50Ms: number | null;
    routeP99Ms: number | null;
  };
  alerts: { open: number; acknowledged: number; escalationLatenessSeconds: number };
  outbox: OutboxQueue[];
  /** True when a queue has more rows than one look counts (the figures are then lower bounds). */
  outboxCapped: boolean;
  scheduleSources: ScheduleSourceFigures[];
}

export interface OperationsViewDeps {
  listeners: readonly HealthSource[];
  backlog: () => number;
  messages: MessageStore;
  alerts: AlertStore;
  outbox: OutboxStore;
  now: () => Date;
}

const STATUSES: readonly MessageStatus[] = ['received', 'routed', 'filtered', 'unrouted', 'failed'];
/** Rows one look reads per outbox state; past it the figures say "at least". */
const OUTBOX_LOOK = 5000;
/** The escalation cycle runs every second or so: a step less late than this is on time. */
const ON_TIME_MS = 5000;
const DAY_COUNTS_EVERY_MS = 60_000;

/**
 * What the dashboard and the scrape-time gauges show, read from the store and the listeners' health.
 * A snapshot is kept for a second, so a dashboard open in several browsers and a scraper cost one look.
 */
export class OperationsView {
  private cached?: { at: number; snapshot: Promise<OperationsSnapshot> };
  private dayCounts?: { at: number; counts: Record<MessageStatus, number> };

  constructor(private readonly deps: OperationsViewDeps) {}

  snapshot(): Promise<OperationsSnapshot> {
    const now = this.deps.now();
    if (this.cached && now.getTime() - this.cached.at < 1000) return this.cached.snapshot;
    const snapshot = this.look(now);
    this.cached = { at: now.getTime(), snapshot };
    snapshot.catch(() => {
      this.cached = undefined;
    });
    return snapshot;
  }

  private async look(now: Date): Promise<OperationsSnapshot> {
    const { messages, alerts, outbox } = this.deps;
    const since = new Date(now.getTime() - 24 * 3600_000);
    const lastDay = await this.lastDay(now);
    const routed = await messages.list({
      status: 'routed',
      since: new Date(now.getTime() - 3600_000),
      limit: 500,
    });
    const routeMs = routed.items
      .map((m) => m.updatedAt.getTime() - m.receivedAt.getTime())
      .sort((a, b) => a - b);
    const [open, acknowledged, nextStep] = await Promise.all([
      alerts.list({ status: 'open', limit: 10_000 }),
      alerts.list({ status: 'acknowledged', since, limit: 10_000 }),
      alerts.nextTimerDue(),
    ]);
    const late = nextStep ? now.getTime() - nextStep.getTime() : 0;
    const [pending, dead] = await Promise.all([
      outbox.list({ state: 'pending', limit: OUTBOX_LOOK }),
      outbox.list({ state: 'dead', limit: OUTBOX_LOOK }),
    ]);
    const queues = new Map<string, OutboxQueue>();
    const queue = (channel: string) => {
      let q = queues.get(channel);
      if (!q) {
        q = { channel, queued: 0, retrying: 0, dead: 0 };
        queues.set(channel, q);
      }
      return q;
    };
    for (const d of pending) queue(d.channel)[d.attempts > 0 ? 'retrying' : 'queued'] += 1;
    for (const d of dead) queue(d.channel).dead += 1;
    return {
      at: now.toISOString(),
      listeners: this.listeners(),
      routing: {
        backlog: this.deps.backlog(),
        lastDay,
        routeP50Ms: percentile(routeMs, 0.5),
        routeP99Ms: percentile(routeMs, 0.99),
      },
      alerts: {
        open: open.length,
        acknowledged: acknowledged.length,
        escalationLatenessSeconds: late > ON_TIME_MS ? Math.round(late / 1000) : 0,
      },
      outbox: [...queues.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
      outboxCapped: pending.length >= OUTBOX_LOOK || dead.length >= OUTBOX_LOOK,
      scheduleSources: this.sources(now),
    };
  }

  /**
   * Counts by status of a day's messages: five counts over the day's rows of a busy site, so counted at
   * most once a minute (the other figures are read at most once a second).
   */
  private async lastDay(now: Date): Promise<Record<MessageStatus, number>> {
    if (this.dayCounts && now.getTime() - this.dayCounts.at < DAY_COUNTS_EVERY_MS)
      return this.dayCounts.counts;
    const since = new Date(now.getTime() - 24 * 3600_000);
    const counts = {} as Record<MessageStatus, number>;
    for (const status of STATUSES)
      counts[status] = (await this.deps.messages.list({ status, since, limit: 1 })).total;
    this.dayCounts = { at: now.getTime(), counts };
    return counts;
  }

  private listeners(): ListenerFigures[] {
    return this.deps.listeners
      .filter((l) => l.name !== 'schedule-sources')
      .map((l) => {
        const h = l.health() as { state: string; connections?: number; error?: string };
        return {
          name: l.name,
          up: h.state === 'listening',
          state: h.state,
          connections: typeof h.connections === 'number' ? h.connections : null,
          error: h.error,
        };
      });
  }

  private sources(now: Date): ScheduleSourceFigures[] {
    const src = this.deps.listeners.find((l) => l.name === 'schedule-sources');
    const h = src?.health() as
      | {
          sources?: Array<{
            id: string;
            state: string;
            lastSuccessAt: Date | null;
            lastError: string | null;
          }>;
        }
      | undefined;
    return (h?.sources ?? []).map((s) => ({
      id: s.id,
      state: s.state,
      lastSuccessAt: s.lastSuccessAt ? s.lastSuccessAt.toISOString() : null,
      sinceSuccessSeconds: s.lastSuccessAt
        ? Math.round((now.getTime() - s.lastSuccessAt.getTime()) / 1000)
        : null,
      lastError: s.lastError,
    }));
  }
}
