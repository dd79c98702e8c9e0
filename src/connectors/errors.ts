/**
 * How a connector's sender says that an attempt failed. The outbox worker reads two properties, so that
 * connectors need not import delivery: `permanent` (trying again cannot help: dead at once) and
 * `retryAfterMs` (the target said when to come back: RFC 9110 §10.2.3 Retry-After).
 */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * An HTTP answer that is not a success, as a TargetError: 4xx is permanent (the same request fails again:
 * bad credentials, unknown mailbox, bad body) except 408 and 429; 429, 503 and 504 are retried after
 * their Retry-After when they give one; other 5xx are retried with the backoff.
 */
export function httpFailure(
  what: string,
  status: number,
  retryAfter: string | null,
  detail = '',
): TargetError {
  const message = `${what}: HTTP ${status}${detail ? ` ${detail.slice(0, 300)}` : ''}`;
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new TargetError(message, permanent, permanent ? undefined : parseRetryAfter(retryAfter));
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A network failure (refused, reset, timed out) as a TargetError worth retrying. */
export function unreachable(what: string, err: unknown): TargetError {
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return new TargetError(`${what} unreachable: ${cause ?? (err as Error).message}`);
}
