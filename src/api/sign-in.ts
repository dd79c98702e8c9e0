/**
 * The password check behind `POST /api/session`: the sign-in guard first (a locked account or address is
 * refused before any hashing, even with the right password), then scrypt on the hashing threads, then
 * the outcome counted. A refusal is problem JSON with Retry-After: 429 while locked, 503 when too many
 * passwords are being checked at once.
 */
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { PasswordHashingBusy } from '../kit/passwords.ts';
import { describeLockout, type LockoutLimits, lockoutSubject, SignInGuard } from '../kit/sign-in-guard.ts';
import type { AuditLog } from '../store/port.ts';
import { sendProblem } from './problem.ts';

export type SignInVerdict =
  | { outcome: 'signed-in' }
  | { outcome: 'wrong' }
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'busy'; retryAfterSeconds: number };

/** Longest user name counted as its own key; longer ones are no account's and share their prefix's count. */
const MAX_NAME = 128;

/** Verified when the account is unknown, so timing does not reveal which names exist. */
const DUMMY_HASH = 'scrypt$32768$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export class PasswordSignIn {
  constructor(
    private readonly deps: {
      guard: SignInGuard;
      verify: (password: string, hash: string) => Promise<boolean>;
    },
  ) {}

  /** `passwordHash` is undefined for an unknown user name (checked all the same, and counted). */
  async check(
    username: string,
    password: string,
    passwordHash: string | undefined,
    address: string,
  ): Promise<SignInVerdict> {
    const admission = this.deps.guard.admit(username.slice(0, MAX_NAME), address);
    if (!admission.admitted) return { outcome: 'locked', retryAfterSeconds: admission.retryAfterSeconds };
    let ok: boolean;
    try {
      ok = await this.deps.verify(password, passwordHash ?? DUMMY_HASH);
    } catch (err) {
      admission.attempt.abandoned();
      if (err instanceof PasswordHashingBusy)
        return { outcome: 'busy', retryAfterSeconds: err.retryAfterSeconds };
      throw err;
    }
    if (ok && passwordHash !== undefined) {
      admission.attempt.succeeded();
      return { outcome: 'signed-in' };
    }
    const locks = await admission.attempt.failed();
    if (!locks.length) return { outcome: 'wrong' };
    const until = Math.max(...locks.map((l) => l.until.getTime()));
    const seconds = Math.max(
      1,
      Math.ceil((until - Math.max(...locks.map((l) => l.lockedAt.getTime()))) / 1000),
    );
    return { outcome: 'locked', retryAfterSeconds: seconds };
  }
}

/** The guard of `POST /api/session`: locks per account ('account') and per address ('address'), audited. */
export function accountSignInGuard(
  limits: { account: LockoutLimits; address: LockoutLimits },
  deps: { audit: AuditLog; log: Logger; now: () => Date },
): SignInGuard {
  return auditedSignInGuard(
    { subjectKind: 'account', addressKind: 'address', subject: limits.account, address: limits.address },
    { action: 'sign-in.lockout', what: 'sign-in lockout' },
    deps,
  );
}

/**
 * A guard whose every lock is logged and audited (`action`, subject `lockout:<kind>:<key>`), for anything
 * that checks a secret: accounts, push clients.
 */
export function auditedSignInGuard(
  kinds: { subjectKind: string; addressKind: string; subject: LockoutLimits; address: LockoutLimits },
  named: { action: string; what: string },
  deps: { audit: AuditLog; log: Logger; now: () => Date },
): SignInGuard {
  return new SignInGuard({
    ...kinds,
    now: () => deps.now().getTime(),
    onLockout: async (lock) => {
      deps.log.warn({ kind: lock.kind, key: lock.key, until: lock.until }, named.what);
      // The lock holds even if the audit row cannot be written (a full disk); the log says so.
      await deps.audit
        .record({
          at: deps.now(),
          actor: 'system',
          action: named.action,
          subject: lockoutSubject(lock),
          detail: describeLockout(lock),
        })
        .catch((err) => deps.log.error({ err, kind: lock.kind, key: lock.key }, `${named.what} not audited`));
    },
  });
}

/** Answers a locked or busy verdict: 429 or 503 problem JSON with Retry-After. */
export function sendSignInRefusal(
  reply: FastifyReply,
  verdict: Extract<SignInVerdict, { retryAfterSeconds: number }>,
) {
  reply.header('retry-after', String(verdict.retryAfterSeconds));
  if (verdict.outcome === 'busy')
    return sendProblem(
      reply,
      503,
      'signInBusy',
      'Sign-in busy',
      'too many sign-ins at once; try again in a moment',
    );
  return sendProblem(
    reply,
    429,
    'signInLocked',
    'Too many failed sign-ins',
    `sign-in is locked for this account or address; try again in ${verdict.retryAfterSeconds} s or ask an administrator to lift the lock`,
  );
}
