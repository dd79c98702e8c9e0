/** setTimeout keeps a 32-bit delay; a longer wait would fire at once. */
const LONGEST_WAIT_MS = 2 ** 31 - 1;

/**
 * One wall-clock timer armed for the earliest escalation step due, so the routing cycle runs when a step
 * falls due instead of up to a poll interval later. The steps themselves stay rows in the store: the alarm
 * only says when to look, and a lost or early ring costs one extra cycle, never a step.
 */
export class NextDueAlarm {
  private timer?: NodeJS.Timeout;
  private armedFor = Number.POSITIVE_INFINITY;
  private running = false;

  constructor(
    private readonly ring: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.running = true;
  }

  /** Arms for `at`, unless already armed for that moment or an earlier one. */
  armFor(at: Date): void {
    const due = at.getTime();
    if (!this.running || due >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.armedFor = Number.POSITIVE_INFINITY;
        this.ring();
      },
      Math.min(Math.max(0, due - this.now()), LONGEST_WAIT_MS),
    );
    this.timer.unref();
  }

  /** The moment it is armed for, if any. */
  get armed(): Date | undefined {
    return this.timer ? new Date(this.armedFor) : undefined;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }
}
