/**
 * Turns the schedule change feed into a connector's jobs. Per connector a cursor in the store; each step
 * reads the changes after it, plans, and writes the jobs, the connector's state and the new cursor in one
 * transaction (ConnectorStore.advance). Stopped at any moment, it resumes where the last commit left it:
 * no change is planned twice and none is skipped.
 *
 * A connector's first run sends its whole window and starts its cursor at the feed's end: what happened
 * before it existed is in the window. A resync sends the whole window again without moving the cursor,
 * so a removal still in the feed after it is not lost.
 */
import { DateTime } from 'luxon';
import type { ConnectorStore, NewConnectorLogEntry } from '../store/connector-port.ts';
import type { ScheduleChange, ScheduleChangeQuery, Shift } from '../store/schedule-port.ts';
import type { Connector, ConnectorPlan, PlanningContext, Skip } from './connector.ts';

/** What the consumer reads of the schedule store. */
export interface ChangeFeed {
  changes(query: ScheduleChangeQuery): Promise<ScheduleChange[]>;
  lastChangeSeq(): Promise<number>;
  shiftsOverlapping(from: Date, to: Date, assignmentId?: string): Promise<Shift[]>;
}

export interface FeedConsumerDeps {
  store: ConnectorStore;
  feed: ChangeFeed;
  planning: PlanningContext;
  /** Changes read per transaction. @defaultValue 500 */
  pageSize?: number;
  /** Told of skipped subjects (written to the log), so the digest can be planned. */
  onSkipped?: (connectorId: string, skipped: readonly Skip[]) => Promise<void> | void;
}

/** Whether a connector takes an assignment (an empty mapping takes every one). */
export function covers(connector: Pick<Connector, 'settings'>, assignmentId: string): boolean {
  const map = connector.settings.assignments;
  return map.size === 0 || map.has(assignmentId);
}

/** The window [today - daysBack, today + daysForward + 1) in the site's zone, as instants. */
export function windowOf(
  connector: Pick<Connector, 'settings'>,
  now: Date,
  zone: string,
): { from: Date; to: Date } {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const w = connector.settings.window;
  return {
    from: today.minus({ days: w.daysBack }).toJSDate(),
    to: today.plus({ days: w.daysForward + 1 }).toJSDate(),
  };
}

export class FeedConsumer {
  constructor(private readonly deps: FeedConsumerDeps) {}

  /**
   * Plans every change after the connector's cursor, a page per transaction; resolves with how many
   * changes were read. A first run plans the window instead.
   */
  async catchUp(connector: Connector): Promise<number> {
    const { store, feed } = this.deps;
    const id = connector.settings.id;
    let cursor = await store.cursor(id);
    if (cursor === undefined) {
      await this.firstRun(connector);
      return 0;
    }
    let read = 0;
    for (;;) {
      const page = await feed.changes({ after: cursor, limit: this.deps.pageSize ?? 500 });
      if (page.length === 0) return read;
      const mine = page.filter((c) => covers(connector, c.assignmentId));
      const plan = mine.length ? await connector.planChanges(mine, this.deps.planning) : { jobs: [] };
      const to = page[page.length - 1].seq;
      const now = this.deps.planning.now();
      const moved = await store.advance(
        { connectorId: id, from: cursor, to, jobs: plan.jobs, state: plan.state },
        now,
      );
      // Another consumer (a second instance) moved the cursor first: it wrote these jobs.
      if (!moved) return read;
      await this.noteSkips(id, plan, now);
      read += page.length;
      cursor = to;
    }
  }

  /** Writes the jobs of the whole window (a resync, or a cadence's tick); the cursor stays where it is. */
  async sendWindow(connector: Connector): Promise<number> {
    const plan = await this.planWindow(connector);
    const now = this.deps.planning.now();
    const n = await this.deps.store.enqueue(plan.jobs, now);
    if (plan.state?.length) await this.deps.store.putState(connector.settings.id, plan.state);
    await this.noteSkips(connector.settings.id, plan, now);
    return n;
  }

  private async firstRun(connector: Connector): Promise<void> {
    // The feed's end first: a change committed while the window is read is then planned again, never lost.
    const to = await this.deps.feed.lastChangeSeq();
    const plan = await this.planWindow(connector);
    const now = this.deps.planning.now();
    const id = connector.settings.id;
    if (
      await this.deps.store.advance({ connectorId: id, from: 0, to, jobs: plan.jobs, state: plan.state }, now)
    )
      await this.noteSkips(id, plan, now);
  }

  private async planWindow(connector: Connector): Promise<ConnectorPlan> {
    const { planning, feed } = this.deps;
    const window = windowOf(connector, planning.now(), planning.zone);
    const shifts = (await feed.shiftsOverlapping(window.from, window.to)).filter((s) =>
      covers(connector, s.assignmentId),
    );
    return connector.planWindow(shifts, window, planning);
  }

  /** One log entry per distinct skip, so a person without a UPN is named once per run, not per shift. */
  private async noteSkips(connectorId: string, plan: ConnectorPlan, at: Date): Promise<void> {
    if (!plan.skipped?.length) return;
    const seen = new Map<string, Skip>();
    for (const s of plan.skipped) seen.set(`${s.subject}\u0000${s.reason}`, s);
    const entries: NewConnectorLogEntry[] = [...seen.values()].map((s) => ({
      connectorId,
      deliveryId: null,
      at,
      outcome: 'skipped',
      target: s.subject,
      summary: 'not sent',
      answer: s.reason,
    }));
    await this.deps.store.record(entries);
    await this.deps.onSkipped?.(connectorId, [...seen.values()]);
  }
}
