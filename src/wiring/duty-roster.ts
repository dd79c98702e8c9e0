/**
 * The jobs a cluster runs once, not once per instance (schedule pulls, the connector cycle, imports, the
 * LDAP sync, the messaging timers): each is a duty, run by the instance that holds the duty's lease
 * (store/lease-port.ts) and taken over by another when that instance stops or dies. Every instance keeps
 * a roster of the same duties; one round every third of the lease renews the leases it holds and takes
 * the lapsed ones, in one statement. On the embedded store every lease is granted, so one instance runs
 * everything, through the same path.
 *
 * What it guarantees: a turn of a duty starts only on the instance that holds its lease, right after a
 * renewal of that lease, and not past the instance's deadline for it: the moment it sent its last
 * successful renewal plus the TTL, measured on its own monotonic clock. The database stamps the expiry
 * later than that send, on its own clock, and another instance can take the lease only past that expiry;
 * so the next holder's first turn comes after this instance's deadline. While a turn runs, the rounds go
 * on renewing; when a renewal is refused, or the deadline passes without one, the turn's signal is
 * aborted, the job's timers stop, and no further turn starts. Two turns can overlap only if one goes on
 * past its deadline without looking at its signal: the TTL (30 s by default) is far longer than any
 * turn's step between two looks at it (a pull aborts its request; an apply is one transaction). A process
 * frozen outright for longer than the TTL (a debugger, a suspended machine) may still finish the write it
 * was making when it froze; a fencing token (the term) checked in the write's own transaction would close
 * that, and no job here needs it: each re-reads the store before it writes (a pull replaces a window, the
 * connector cycle follows the change feed under its lock).
 */
import type { LeaseGrant, LeaseStore } from '../store/lease-port.ts';

/** Time and timers as the roster uses them (a fake clock in tests). */
export interface DutyTimers {
  /** Milliseconds on a clock that only moves forward. */
  now(): number;
  set(ms: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

export const systemDutyTimers: DutyTimers = {
  now: () => performance.now(),
  set: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A job under a lease: started when this instance takes the duty, stopped when it loses or leaves it. */
export interface DutyJob {
  /** This instance took the duty: start the job's timers. Each turn goes through `duty.turn`. */
  begin(duty: Duty): void | Promise<void>;
  /** The duty ended (the lease was lost, or given up at a stop): stop the timers. */
  end(): void | Promise<void>;
}

export interface DutyRosterOptions {
  leases: LeaseStore;
  /** This instance's name (wiring/alert-relay.ts instanceName), the holder written in each lease. */
  instance: string;
  /** How long a lease runs from each renewal (config cluster.leaseSeconds). */
  ttlMs: number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  timers?: DutyTimers;
  /**
   * How long a stop waits for turns in flight after aborting them. A lease whose turn is still running
   * then is not released: it lapses, so the next holder never overlaps that turn. @defaultValue 5000
   */
  stopWaitMs?: number;
}

/** The reason a turn's signal carries when the lease is lost or the instance stops. */
export class DutyEnded extends Error {}

export class DutyRoster {
  private readonly duties = new Map<string, Duty>();
  private readonly timers: DutyTimers;
  private roundTimer: unknown;
  private stopping = false;
  /** Takes on their way to the store: a stop waits for them, so none renews a lease after the release. */
  private readonly taking = new Set<Promise<unknown>>();

  constructor(private readonly o: DutyRosterOptions) {
    this.timers = o.timers ?? systemDutyTimers;
  }

  /** Adds a duty; call before `start`. Its name is the lease's, unique in the cluster. */
  add(name: string, job: DutyJob): Duty {
    if (this.duties.has(name)) throw new Error(`two duties named ${name}`);
    const duty = new Duty(name, job, this.o, this.timers, {
      take: (names) => this.take(names),
      stopping: () => this.stopping,
    });
    this.duties.set(name, duty);
    return duty;
  }

  /**
   * Adds a duty that runs `work` every `everyMs` while this instance holds it: the first turn when it takes
   * the duty (or `everyMs` later, `atOnce: false`). A turn still running when the next falls due is not
   * doubled.
   */
  every(
    name: string,
    everyMs: number,
    work: (signal: AbortSignal) => Promise<unknown>,
    options: { atOnce?: boolean } = {},
  ): Duty {
    let timer: unknown;
    let on = false;
    let busy = false;
    let duty: Duty | undefined;
    const tick = () => {
      if (!on || !duty) return;
      timer = this.timers.set(everyMs, tick);
      if (busy) return;
      busy = true;
      void duty
        .turn(work)
        .catch((err) => this.o.log.error({ err, duty: name }, 'duty turn failed'))
        .finally(() => {
          busy = false;
        });
    };
    return this.add(name, {
      begin: (d) => {
        duty = d;
        on = true;
        timer = this.timers.set(options.atOnce === false ? everyMs : 0, tick);
      },
      end: () => {
        on = false;
        this.timers.clear(timer);
      },
    });
  }

  /** Takes what leases it can now (their jobs begin before this resolves), then keeps the round going. */
  async start(): Promise<void> {
    await this.round();
    await Promise.all([...this.duties.values()].map((d) => d.changed()));
  }

  /** The duties this instance holds now, by name (its role in the cluster, for /api/health). */
  held(): string[] {
    return [...this.duties.values()].filter((d) => d.held).map((d) => d.name);
  }

  /** The duties another instance holds, or nobody yet: this one stands by for them. */
  standingBy(): string[] {
    return [...this.duties.values()].filter((d) => !d.held).map((d) => d.name);
  }

  /**
   * Ends every duty (turns are aborted, timers stopped), waits a while for the turns in flight, and
   * releases the leases whose turns have ended, so a survivor takes them at its next round.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.clear(this.roundTimer);
    const duties = [...this.duties.values()];
    await Promise.all(duties.map((d) => d.end('Switchboard is stopping', 'info')));
    await Promise.allSettled([...this.taking]);
    const finished = await Promise.all(duties.map((d) => d.settled(this.o.stopWaitMs ?? 5000)));
    const free = duties.filter((_, i) => finished[i]).map((d) => d.name);
    const left = duties.filter((_, i) => !finished[i]).map((d) => d.name);
    if (left.length)
      this.o.log.warn({ duties: left }, 'turns still running at the stop: their leases are left to lapse');
    await this.o.leases
      .release(free, this.o.instance)
      .catch((err) => this.o.log.warn({ err }, 'leases not released; they lapse instead'));
  }

  private take(names: readonly string[]): Promise<LeaseGrant[]> {
    const taking = this.o.leases.take(names, this.o.instance, this.o.ttlMs);
    this.taking.add(taking);
    const done = () => this.taking.delete(taking);
    taking.then(done, done);
    return taking;
  }

  private async round(): Promise<void> {
    if (this.stopping) return;
    const names = [...this.duties.keys()];
    const sentAt = this.timers.now();
    try {
      const grants = await this.take(names);
      if (!this.stopping) {
        const byName = new Map(grants.map((g) => [g.name, g]));
        // Not waited for: a job slow to end must not hold up the renewal of the other leases.
        for (const d of this.duties.values()) void d.granted(byName.get(d.name), sentAt);
      }
    } catch (err) {
      this.o.log.warn({ err }, 'leases not renewed; duties end if their leases lapse first');
    }
    if (!this.stopping) this.roundTimer = this.timers.set(this.o.ttlMs / 3, () => void this.round());
  }
}

/** One duty on this instance's roster: its lease, its job, and the turns it runs. */
export class Duty {
  /** The lease's term while this instance holds it. */
  private term: number | undefined;
  /** Past this (DutyTimers.now), the lease may be another's. */
  private deadline = Number.NEGATIVE_INFINITY;
  private deadlineTimer: unknown;
  private controller = new AbortController();
  /** Begins and ends of the job, one after the other. */
  private changes: Promise<void> = Promise.resolve();
  private readonly turns = new Set<Promise<unknown>>();

  constructor(
    readonly name: string,
    private readonly job: DutyJob,
    private readonly o: DutyRosterOptions,
    private readonly timers: DutyTimers,
    private readonly roster: {
      take(names: readonly string[]): Promise<LeaseGrant[]>;
      stopping(): boolean;
    },
  ) {}

  /** Whether this instance holds the lease now, by its own deadline. */
  get held(): boolean {
    return this.term !== undefined && this.timers.now() < this.deadline;
  }

  /**
   * Runs `work` as one turn of the duty if this instance holds it: the lease is renewed first, and
   * `signal` aborts when it is lost. Resolves undefined, without running `work`, when this instance is not
   * on duty or cannot reach the store to renew.
   */
  async turn<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    if (!this.held || this.roster.stopping()) return undefined;
    const term = this.term;
    const sentAt = this.timers.now();
    try {
      const [grant] = await this.roster.take([this.name]);
      await this.granted(grant, sentAt);
    } catch (err) {
      this.o.log.warn({ err, duty: this.name }, 'lease not renewed; the turn waits for the next');
      return undefined;
    }
    if (!this.held || this.term !== term || this.roster.stopping()) return undefined;
    const run = work(this.controller.signal);
    this.turns.add(run);
    const done = () => this.turns.delete(run);
    run.then(done, done);
    return run;
  }

  /**
   * What a take said of this lease: renewed in the same term, taken in a new one, or not ours. The state
   * changes before it returns (two takes answered at once never begin the job twice); the job's begin and
   * end run one after the other.
   */
  granted(grant: LeaseGrant | undefined, sentAt: number): Promise<void> {
    if (!grant) return this.end('another instance holds the lease', 'warn');
    const deadline = sentAt + this.o.ttlMs;
    if (deadline <= this.timers.now()) return this.changes;
    if (this.term === grant.term) {
      this.extend(deadline);
      return this.changes;
    }
    // A new term: the lease lapsed since our last grant, and another instance may have held it meanwhile.
    const ended = this.end('the lease lapsed before it was renewed', 'warn');
    if (this.roster.stopping()) return ended;
    this.term = grant.term;
    this.controller = new AbortController();
    this.deadline = Number.NEGATIVE_INFINITY;
    this.extend(deadline);
    this.o.log.info({ duty: this.name, term: grant.term }, 'on duty');
    return this.change(() => this.job.begin(this));
  }

  /**
   * Stops the job and aborts its turns (at once; the job's end runs after its begin); nothing happens when
   * this instance is not on duty.
   */
  end(reason: string, level: 'info' | 'warn'): Promise<void> {
    if (this.term === undefined) return this.changes;
    this.term = undefined;
    this.timers.clear(this.deadlineTimer);
    this.controller.abort(new DutyEnded(`${this.name}: ${reason}`));
    this.o.log[level]({ duty: this.name, reason }, 'duty ended');
    return this.change(() => this.job.end());
  }

  /** Resolves once the job's begins and ends asked for so far have run. */
  changed(): Promise<void> {
    return this.changes;
  }

  /** Whether the turns in flight ended within `waitMs`. */
  async settled(waitMs: number): Promise<boolean> {
    await this.changes;
    if (this.turns.size === 0) return true;
    let timer: unknown;
    const late = new Promise<false>((resolve) => {
      timer = this.timers.set(waitMs, () => resolve(false));
    });
    const ended = Promise.allSettled([...this.turns]).then(() => true as const);
    const finished = await Promise.race([ended, late]);
    this.timers.clear(timer);
    return finished;
  }

  private extend(deadline: number): void {
    this.deadline = Math.max(this.deadline, deadline);
    this.timers.clear(this.deadlineTimer);
    this.deadlineTimer = this.timers.set(this.deadline - this.timers.now(), () => {
      if (this.term !== undefined && this.timers.now() >= this.deadline)
        void this.end('the lease was not renewed before it could lapse', 'warn');
    });
  }

  private change(step: () => void | Promise<void>): Promise<void> {
    this.changes = this.changes
      .then(step)
      .catch((err) => this.o.log.error({ err, duty: this.name }, 'duty job failed to begin or end'));
    return this.changes;
  }
}
