import type { SourceSettings } from './source-config.ts';
import { isPushClient } from './sources/push.ts';
import type { ScheduleSourceClient } from './sources/source.ts';
import { SourceError } from './sources/source.ts';
import type { ApplyOptions, ScheduleSyncEngine, SyncLog, SyncOutcome } from './sync-engine.ts';

const DAY_MS = 86_400_000;
/** A pull that takes longer than this is abandoned (and counts as failed): nothing of it is applied. */
const PULL_TIMEOUT_MS = 10 * 60_000;
/** Rows between two progress lines in the log during a long first sync. */
const PROGRESS_EVERY = 5_000;
/** How often staleness is looked at, besides after each sync. */
const STALE_LOOK_MS = 60_000;
/** How long a stop waits for pulls in flight to end after aborting them. */
const STOP_WAIT_MS = 5_000;
/** A failing source is retried no later than this, however many times it failed. */
const MAX_BACKOFF_MS = 60 * 60_000;

export interface SyncRunnerDeps {
  now: () => Date;
  log: SyncLog;
  /**
   * Tells the site's failsafe group that a source has had no good sync since `since` (once per episode:
   * the runner calls it once, until the next success).
   */
  stale?: (source: SourceSettings, since: Date) => Promise<void>;
  /** Progress of a pull (rows fetched), for a terminal that asked for a sync. */
  progress?: (sourceId: string, fetched: number) => void;
  /**
   * On a cluster, which instance pulls each source on its timer (wiring/schedule-sync.ts): the timers of
   * a source run only while this instance is on duty for it (`takeOver` and `handOver` say when that
   * changes), and each timed pull is a turn of that duty. Absent, this instance pulls every source.
   */
  duty?: SourceDuty;
}

export interface SourceDuty {
  /**
   * Runs `pull` if this instance is on duty for the source, else resolves undefined; `signal` aborts when
   * the duty moves to another instance.
   */
  turn<T>(sourceId: string, pull: (signal: AbortSignal) => Promise<T>): Promise<T | undefined>;
  holds(sourceId: string): boolean;
}

export interface SourceHealth {
  id: string;
  state: 'ok' | 'failing' | 'stale' | 'held' | 'disabled';
  lastSuccessAt: Date | null;
  lastError: string | null;
}

/**
 * Runs each enabled source on its own timer: every `everyMinutes` (never faster than the system's
 * `minIntervalMs`), sooner after a Retry-After, backing off after failures. A sync of one source never
 * overlaps another of the same source; syncs asked for by hand (API, CLI) queue behind a running one.
 */
export class ScheduleSyncRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<SyncOutcome>>();
  private readonly failures = new Map<string, number>();
  private readonly aborts = new Set<AbortController>();
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly startedAt: Date;
  private stopped = false;
  private progress: ((sourceId: string, fetched: number) => void) | undefined;

  constructor(
    private readonly engine: ScheduleSyncEngine,
    private readonly clients: ReadonlyMap<string, ScheduleSourceClient>,
    private readonly deps: SyncRunnerDeps,
  ) {
    this.startedAt = deps.now();
    this.progress = deps.progress;
  }

  /** Hears the rows fetched so far of every pull (a terminal showing a long first sync). */
  onProgress(listener: (sourceId: string, fetched: number) => void): void {
    this.progress = listener;
  }

  /**
   * Starts every enabled source's timer: first run at its stored next run, or at once. On a cluster only
   * the staleness look starts here; a source's timer starts when this instance takes over its duty.
   */
  async start(): Promise<void> {
    const statuses = await this.engine.statuses();
    for (const status of this.deps.duty ? [] : statuses) {
      const s = this.engine.source(status.sourceId);
      const client = s && this.clients.get(s.id);
      // A push source is sent its changes (src/api/schedule-push.ts): nothing to pull on a timer.
      if (!s?.enabled || !client || isPushClient(client)) continue;
      const due = status.nextRunAt ? status.nextRunAt.getTime() - this.deps.now().getTime() : 0;
      this.schedule(s.id, Math.max(0, due));
    }
    this.staleTimer = setInterval(() => void this.checkStale(), STALE_LOOK_MS);
    this.staleTimer.unref();
  }

  /** Stops the timers and abandons pulls in flight (what they fetched is not applied), then waits. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    if (this.staleTimer) clearInterval(this.staleTimer);
    for (const a of this.aborts) a.abort(new Error('Switchboard is stopping'));
    // A client that does not heed the abort is not waited for long: what it fetched is never applied.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running.values()]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * This instance is on duty for the source now: its status is read again (the instance that had the duty
   * wrote it) and its timer starts at the stored next run, or at once.
   */
  async takeOver(sourceId: string): Promise<void> {
    const status = await this.engine.reload(sourceId);
    this.failures.delete(sourceId);
    const due = status.nextRunAt ? status.nextRunAt.getTime() - this.deps.now().getTime() : 0;
    this.schedule(sourceId, Math.max(0, due));
  }

  /** Another instance has the source's duty now: its timer stops (a pull in flight had its signal aborted). */
  handOver(sourceId: string): void {
    clearTimeout(this.timers.get(sourceId));
    this.timers.delete(sourceId);
  }

  /**
   * Pulls and applies one source now (after any sync of it already running). `signal`, when given, cuts
   * the pull short: nothing of it is applied and it does not count as a failure of the source.
   */
  syncNow(sourceId: string, options: ApplyOptions = {}, signal?: AbortSignal): Promise<SyncOutcome> {
    const before = this.running.get(sourceId) ?? Promise.resolve(undefined);
    const run = before.catch(() => undefined).then(() => this.pullAndApply(sourceId, options, signal));
    if (!options.dryRun) {
      this.running.set(sourceId, run);
      void run.finally(() => {
        if (this.running.get(sourceId) === run) this.running.delete(sourceId);
      });
    }
    return run;
  }

  /** Each configured source's health, for /api/health. */
  health(): SourceHealth[] {
    return this.engine.sourceIds().map((id) => {
      const s = this.engine.source(id)!;
      const st = this.engine.statusOf(id);
      const state: SourceHealth['state'] = !s.enabled
        ? 'disabled'
        : this.isStale(s)
          ? 'stale'
          : st.lastError
            ? 'failing'
            : (st.lastRun as { status?: string } | null)?.status === 'held'
              ? 'held'
              : 'ok';
      return { id, state, lastSuccessAt: st.lastSuccessAt, lastError: st.lastError };
    });
  }

  /**
   * Tells the failsafe group of each source stale since the last look (once per episode). On a cluster
   * that is the instance on duty for the source; the others read its status again, so their health shows
   * the syncs of the instance on duty. A push source's status is read again on duty too: its pushes
   * reach whichever instance the load balancer picks.
   */
  async checkStale(): Promise<number> {
    let told = 0;
    for (const id of this.engine.sourceIds()) {
      const s = this.engine.source(id)!;
      const client = this.clients.get(id);
      const pushed = !!this.deps.duty && !!client && isPushClient(client);
      if (this.elsewhere(id) || pushed) await this.engine.reload(id).catch(() => undefined);
      if (this.elsewhere(id)) continue;
      if (!s.enabled || !this.isStale(s)) continue;
      const st = this.engine.statusOf(id);
      if (st.staleAlertedAt) continue;
      const since = st.lastSuccessAt ?? this.startedAt;
      await this.engine.update(id, { staleAlertedAt: this.deps.now() });
      this.deps.log.warn({ source: id, since }, 'schedule source stale: failsafe told');
      try {
        await this.deps.stale?.(s, since);
        told += 1;
      } catch (error) {
        this.deps.log.error({ source: id, error: String(error) }, 'stale source alert failed');
      }
    }
    return told;
  }

  /** Whether another instance of the cluster is on duty for this source (pulls it, or looks after it). */
  private elsewhere(sourceId: string): boolean {
    const enabled = this.engine.source(sourceId)?.enabled && this.clients.has(sourceId);
    return !!this.deps.duty && !!enabled && !this.deps.duty.holds(sourceId);
  }

  private isStale(s: SourceSettings): boolean {
    const st = this.engine.statusOf(s.id);
    const since = (st.lastSuccessAt ?? this.startedAt).getTime();
    return this.deps.now().getTime() - since > s.staleAfterMinutes * 60_000;
  }

  private schedule(sourceId: string, delayMs: number): void {
    if (this.stopped) return;
    const old = this.timers.get(sourceId);
    if (old) clearTimeout(old);
    const timer = setTimeout(() => {
      this.timers.delete(sourceId);
      const duty = this.deps.duty;
      const timed = duty
        ? duty.turn(sourceId, (signal) => this.syncNow(sourceId, {}, signal))
        : this.syncNow(sourceId);
      void timed.catch((error) =>
        this.deps.log.error({ source: sourceId, error: String(error) }, 'schedule sync crashed'),
      );
    }, delayMs);
    timer.unref();
    this.timers.set(sourceId, timer);
  }

  private async pullAndApply(
    sourceId: string,
    options: ApplyOptions,
    outer?: AbortSignal,
  ): Promise<SyncOutcome> {
    const settings = this.engine.source(sourceId);
    const client = this.clients.get(sourceId);
    if (!settings || !client) throw new Error(`no scheduling source ${sourceId}`);
    if (isPushClient(client)) {
      // Not a failure of the source: nothing is recorded, the status stays that of its last push.
      return {
        sourceId,
        status: 'failed',
        changes: [],
        counts: { rows: 0, shifts: 0, unmapped: 0, repeated: 0, added: 0, removed: 0, changed: 0 },
        unmapped: [],
        message: `${sourceId} is a push source: its system sends its changes, there is nothing to pull`,
      };
    }
    // Asked for by hand on an instance that is not on duty for it: the status is the other instance's.
    if (this.elsewhere(sourceId)) await this.engine.reload(sourceId);
    else await this.engine.statuses();
    const now = this.deps.now();
    const abort = new AbortController();
    const signal = outer ? AbortSignal.any([abort.signal, outer]) : abort.signal;
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(new SourceError('the pull took too long')), PULL_TIMEOUT_MS);
    let logged = 0;
    let outcome: SyncOutcome;
    try {
      const pull = await client.pull({
        from: new Date(now.getTime() - settings.daysBack * DAY_MS),
        to: new Date(now.getTime() + settings.daysForward * DAY_MS),
        cursor: this.engine.statusOf(sourceId).cursor ?? undefined,
        signal,
        progress: (fetched) => {
          this.progress?.(sourceId, fetched);
          if (fetched - logged >= PROGRESS_EVERY) {
            logged = fetched;
            this.deps.log.info({ source: sourceId, fetched }, 'schedule sync: shifts fetched');
          }
        },
      });
      if (this.stopped) throw new SourceError('Switchboard is stopping; the pull is not applied');
      if (outer?.aborted)
        throw new SourceError('another instance has the source now; the pull is not applied');
      outcome = await this.engine.apply(sourceId, pull, options);
      if (!options.dryRun && (outcome.status === 'applied' || outcome.status === 'unchanged')) {
        await client.applied?.(pull);
      }
    } catch (error) {
      // A pull cut short by our own stop, or by the duty moving on, says nothing about the source.
      if (!options.dryRun && !this.stopped && !outer?.aborted)
        await this.engine.recordFailure(sourceId, error);
      const retryAfterMs = error instanceof SourceError ? error.detail.retryAfterMs : undefined;
      outcome = {
        sourceId,
        status: 'failed',
        changes: [],
        counts: { rows: 0, shifts: 0, unmapped: 0, repeated: 0, added: 0, removed: 0, changed: 0 },
        unmapped: [],
        message: `failed, nothing changed: ${error instanceof Error ? error.message : String(error)}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
    if (!options.dryRun) await this.planNext(settings, client, outcome);
    return outcome;
  }

  /** The next run: the cadence, or backed off after failures, or the source's Retry-After. */
  private async planNext(
    s: SourceSettings,
    client: ScheduleSourceClient,
    outcome: SyncOutcome,
  ): Promise<void> {
    const cadence = s.everyMinutes * 60_000;
    const floor = client.minIntervalMs ?? 0;
    let delay: number;
    if (outcome.status === 'failed') {
      const n = (this.failures.get(s.id) ?? 0) + 1;
      this.failures.set(s.id, n);
      // First retry within a minute (a 06:40 sick call must still make the 07:00 handoff), then doubling.
      delay = Math.min(Math.max(cadence, MAX_BACKOFF_MS), 60_000 * 2 ** (n - 1));
      if (outcome.retryAfterMs !== undefined) delay = Math.max(delay, outcome.retryAfterMs);
    } else {
      this.failures.delete(s.id);
      delay = cadence;
    }
    delay = Math.max(delay, floor);
    // Off duty, the next run is the business of the instance on duty (it keeps its own timer).
    if (this.stopped || !s.enabled || this.elsewhere(s.id)) return;
    await this.engine.update(s.id, { nextRunAt: new Date(this.deps.now().getTime() + delay) });
    this.schedule(s.id, delay);
    if (this.isStale(s)) await this.checkStale();
  }
}
