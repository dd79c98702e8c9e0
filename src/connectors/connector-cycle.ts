/**
 * Runs the connectors: on each tick, every enabled onChange connector catches up with the change feed, and
 * every connector with another cadence whose time has come sends its whole window. It also hears each
 * attempt's outcome from the outbox worker, writes it to the connector's delivery log, and plans the
 * failure digest. Built by wiring/connectors.ts; the worker does the sending.
 */
import type { ConnectorStore } from '../store/connector-port.ts';
import type { Delivery, OutboxStore } from '../store/outbox-port.ts';
import { isDue } from './cadence.ts';
import {
  type Connector,
  type ConnectorKind,
  type ConnectorSender,
  type ConnectorSettings,
  connectorOfTarget,
  type KindContext,
  type PlanningContext,
} from './connector.ts';
import { digestJob } from './digest.ts';
import { type ChangeFeed, FeedConsumer } from './feed-consumer.ts';

export interface ConnectorCycleDeps {
  settings: readonly ConnectorSettings[];
  kinds: ReadonlyMap<string, ConnectorKind<never>>;
  store: ConnectorStore;
  outbox: Pick<OutboxStore, 'add'>;
  feed: ChangeFeed;
  planning: PlanningContext;
  fetch: typeof fetch;
  log: KindContext['log'] & { error(obj: object, msg: string): void };
  mllp?: KindContext['mllp'];
  page?: KindContext['page'];
  notifyApp?: KindContext['notifyApp'];
  schedules?: KindContext['schedules'];
}

/** What an attempt came to, as the outbox worker reports it. */
export type AttemptOutcome =
  | { kind: 'sent'; result: string }
  | { kind: 'retry'; error: string }
  | { kind: 'dead'; error: string };

const LAST_RUN = 'cadence:lastRun';

export class ConnectorCycle {
  readonly connectors = new Map<string, Connector>();
  /** The sender of each kind that has one, by kind. */
  readonly senders = new Map<string, ConnectorSender>();
  private readonly consumer: FeedConsumer;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly deps: ConnectorCycleDeps) {
    this.consumer = new FeedConsumer({
      store: deps.store,
      feed: deps.feed,
      planning: deps.planning,
      onSkipped: (id) => this.planDigest(id),
    });
    const enabled = deps.settings.filter((s) => s.enabled);
    for (const [name, kind] of deps.kinds) {
      const mine = enabled.filter((s) => s.kind === name);
      if (mine.length === 0) continue;
      const ctx = this.kindContext(mine);
      for (const s of mine) this.connectors.set(s.id, (kind as ConnectorKind).create(s, ctx));
      const sender = (kind as ConnectorKind).sender(ctx);
      if (sender) this.senders.set(name, sender);
    }
  }

  kindContext(connectors: readonly ConnectorSettings[]): KindContext {
    const { store, planning, fetch, log, mllp, page, notifyApp, schedules } = this.deps;
    return { store, planning, connectors, fetch, log, mllp, page, notifyApp, schedules };
  }

  /** One pass over every connector; a tick while one runs waits for it instead of overlapping it. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    for (const s of this.senders.values()) await s.close?.();
  }

  /** Sends the connector's whole window again (the target ends up with exactly our schedule). */
  async resync(connectorId: string): Promise<number> {
    const connector = this.connectors.get(connectorId);
    if (!connector) throw new Error(`no enabled connector ${connectorId}`);
    return this.consumer.sendWindow(connector);
  }

  private async pass(): Promise<void> {
    const now = this.deps.planning.now();
    for (const connector of this.connectors.values()) {
      const { id, cadence } = connector.settings;
      try {
        if (cadence.kind === 'onChange') {
          await this.consumer.catchUp(connector);
          continue;
        }
        const last = (await this.deps.store.state(id, LAST_RUN)) as string | undefined;
        if (!isDue(cadence, last ? new Date(last) : undefined, now, this.deps.planning.zone)) continue;
        await this.consumer.sendWindow(connector);
        await this.deps.store.putState(id, [{ key: LAST_RUN, value: now.toISOString() }]);
      } catch (err) {
        // One connector's trouble (a bad mapping that throws) must not hold up the others.
        this.deps.log.error({ err, connector: id }, 'connector pass failed');
      }
    }
  }

  /** The outbox worker's report of one attempt: into the delivery log, and a digest when it failed. */
  async outcome(delivery: Delivery, outcome: AttemptOutcome): Promise<void> {
    const connectorId = connectorOfTarget(delivery.target);
    const kind = delivery.channel.slice('connector:'.length);
    const described = this.senders.get(kind)?.describe(delivery) ?? { target: delivery.target, summary: '' };
    const now = this.deps.planning.now();
    await this.deps.store.record([
      {
        connectorId,
        deliveryId: delivery.id,
        at: now,
        outcome: outcome.kind,
        target: described.target,
        summary: described.summary,
        answer: outcome.kind === 'sent' ? outcome.result : outcome.error,
      },
    ]);
    if (outcome.kind !== 'sent') await this.planDigest(connectorId);
  }

  private async planDigest(connectorId: string): Promise<void> {
    const settings = this.connectors.get(connectorId)?.settings;
    if (!settings) return;
    await this.deps.outbox.add(
      [digestJob(connectorId, settings.digestMinutes, this.deps.planning.now())],
      this.deps.planning.now(),
    );
  }
}
