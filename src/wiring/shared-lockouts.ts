/**
 * Sign-in locks shared by the instances (kit/sign-in-guard.ts, store/sign-in-failure-port.ts): every guard
 * counts its failures in the store too, and every few seconds each instance takes in the locks in force,
 * whichever instance made them, and drops those an admin lifted. On one node the same path keeps locks
 * across a restart. Between two looks an instance that has not yet heard of a lock may let through the
 * guesses of those seconds: at most a few more than the limit, never an unbounded number.
 */
import type { Logger } from 'pino';
import type { SignInGuard } from '../kit/sign-in-guard.ts';
import type { SignInFailureStore } from '../store/sign-in-failure-port.ts';

/** How often an instance takes in the others' locks. */
const LOOK_EVERY_MS = 2_000;
/** At most one log line a minute while the store cannot be reached. */
const QUIET_MS = 60_000;

export function shareLockouts(
  failures: SignInFailureStore,
  guards: readonly SignInGuard[],
  log: Logger,
  now: () => Date,
): { stop(): void } {
  let loggedAt = Number.NEGATIVE_INFINITY;
  const unreachable = (err: unknown) => {
    const at = Date.now();
    if (at - loggedAt < QUIET_MS) return;
    loggedAt = at;
    log.warn({ err }, 'sign-in failures not shared with the other instances: counted on this one alone');
  };
  for (const guard of guards) guard.share(failures, unreachable);
  const look = async () => {
    try {
      const locks = await failures.inForce(now());
      for (const guard of guards) guard.mirror(locks);
    } catch (err) {
      unreachable(err);
    }
  };
  const timer = setInterval(() => void look(), LOOK_EVERY_MS);
  timer.unref();
  void look();
  return { stop: () => clearInterval(timer) };
}
