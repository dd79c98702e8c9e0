import type { Logger } from 'pino';
import type { CoverageGapWarning } from './coverage-gap-warning.ts';
import type { EscalationEngine } from './escalation.ts';
import { NextDueAlarm } from './next-due-alarm.ts';
import type { Router } from './router.ts';

/**
 * The routing core's heartbeat: it advances due escalation steps, sends due batch digests and warns ahead
 * of coverage gaps. A single alarm wakes it when the earliest escalation step falls due (re-armed whenever
 * an earlier one is written), and every `intervalMs` it looks anyway, as a safety net. Its state lives in the store, so one cycle after
 * a restart it is as if nothing had happened.
 */
export class RoutingCycle {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly alarm = new NextDueAlarm(() => void this.tick());

  constructor(
    private readonly escalation: EscalationEngine,
    private readonly router: Router,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
    /** Warns the failsafe group ahead of coverage gaps, when the site asks for it. */
    private readonly coverage?: Pick<CoverageGapWarning, 'check'>,
  ) {
    escalation.whenTimerSet((dueAt) => this.alarm.armFor(dueAt));
  }

  start(): void {
    this.alarm.start();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    // Steps left pending by the last process: wake for the earliest of them.
    void this.escalation.nextDue().then(
      (next) => next && this.alarm.armFor(next),
      () => {},
    );
  }

  /** One cycle; overlapping calls share the cycle in progress. Then the alarm is set for the next step due. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      let next: Date | undefined;
      try {
        await this.router.flushBatches();
        const look = await this.escalation.tick();
        // A step still due that this cycle could not take (its run failed, or another instance holds it)
        // must not ring the alarm again at once: the cycle would spin on it. The poll looks again.
        next = await this.escalation.nextDue(look.tookAll ? look.at : undefined);
        await this.coverage?.check();
      } catch (err) {
        this.log.error({ err }, 'routing cycle failed');
      } finally {
        this.running = undefined;
      }
      // A step that fell due during this cycle was not in its list: the alarm rings again at once for it.
      if (next) this.alarm.armFor(next);
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.alarm.stop();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
