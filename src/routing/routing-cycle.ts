import type { Logger } from 'pino';
import type { EscalationEngine } from './escalation.ts';
import type { Router } from './router.ts';

/**
 * The routing core's heartbeat: every `intervalMs` it advances due escalation steps and sends due batch
 * digests. Its state lives in the store, so one cycle after a restart it is as if nothing had happened.
 */
export class RoutingCycle {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly escalation: EscalationEngine,
    private readonly router: Router,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One cycle; overlapping calls share the cycle in progress. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.router.flushBatches();
        await this.escalation.tick();
      } catch (err) {
        this.log.error({ err }, 'routing cycle failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
