import type { Logger } from 'pino';

/** A listener that can make its senders wait: it reads nothing from them while routing is behind. */
export interface HoldsSenders {
  routingBehind(behind: boolean): void;
}

/** Log lines about holding senders: the first hold, then at most one a minute. */
const LOG_EVERY_MS = 60_000;

/**
 * Tells a listener when routing's backlog reaches its bound and when it caught up (Router.onBehind), and
 * says so in the log. Under a sustained feed the hold comes and goes many times a second, so the log
 * has the first hold, then at most one line a minute with how many holds there were since the last.
 */
export function holdSendersWhileRoutingBehind(
  router: { onBehind(hear: (behind: boolean, backlog: number) => void): void },
  listener: HoldsSenders,
  log: Logger,
  now: () => number = Date.now,
): void {
  let holds = 0;
  let loggedAt = Number.NEGATIVE_INFINITY;
  router.onBehind((behind, backlog) => {
    listener.routingBehind(behind);
    if (!behind) return;
    holds += 1;
    if (now() - loggedAt < LOG_EVERY_MS) return;
    log.warn(
      { backlog, holds },
      'MLLP holding senders: routing is behind (reading again once half the backlog is routed)',
    );
    loggedAt = now();
    holds = 0;
  });
}
