/**
 * The poison-message guard: a message whose routing throws, runs past its time budget, or stopped the
 * process while it was routed is quarantined (status `failed` with the reason) instead of holding up the
 * messages behind it or being routed again at every start.
 */

/** Config `routing.poisonGuard`, whose schema holds the defaults. */
export interface PoisonGuardOptions {
  /**
   * Time routing may spend on one message, in milliseconds, counted around each of its steps (parse,
   * census, each interpreter, rules, each alert) and checked between them.
   */
  budgetMs: number;
  /**
   * Routing starts after a restart that a message may have without finishing; at the next start it is
   * quarantined instead of routed.
   */
  maxAttempts: number;
}

/** Why a message was quarantined: thrown by a step, or by the budget between steps. */
export class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
}

/**
 * The time one message's routing has taken. A step is timed from its start to its end (awaits
 * included); the check comes after each step, so a step must itself be bounded (the HL7 codec's limits
 * bound parsing and reading), and the budget can stop the message, never a step halfway.
 */
export class RoutingBudget {
  private spentMs = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs one step, adds its time, and throws QuarantineError when the budget is now spent. */
  async step<T>(name: string, run: () => T | Promise<T>): Promise<T> {
    const startedAt = this.now();
    const value = await run();
    this.spentMs += this.now() - startedAt;
    if (this.spentMs > this.budgetMs) {
      throw new QuarantineError(
        `routing took ${Math.round(this.spentMs)} ms, over the budget of ${this.budgetMs} ms (stopped after ${name})`,
      );
    }
    return value;
  }

  get spent(): number {
    return this.spentMs;
  }
}

/** The status detail of a message quarantined because the process stopped while routing it. */
export function unfinishedRoutingReason(attempts: number): string {
  return `quarantined: routing was started ${attempts} times after a restart and never finished (the process stopped while routing it); not routed again`;
}
