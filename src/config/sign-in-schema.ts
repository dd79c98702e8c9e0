import type { PasswordHashingOptions } from '../kit/passwords.ts';
import type { LockoutLimits } from '../kit/sign-in-guard.ts';

/**
 * Brute-force protection (src/kit/sign-in-guard.ts): `http.signIn` for `POST /api/session`, `wctp.signIn`
 * for WCTP security codes. Failures are counted per account (or sender) and per client address; reaching
 * `maxFailures` within `windowSeconds` locks for `lockSeconds`, doubling with each further lock up to
 * `maxLockSeconds`. An address allows more failures than an account: a ward's workstations may share one
 * address behind a proxy.
 */
function limitsSchema(maxFailures: number) {
  return {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      maxFailures: { type: 'integer', minimum: 1, default: maxFailures },
      windowSeconds: { type: 'integer', minimum: 1, default: 900 },
      lockSeconds: { type: 'integer', minimum: 1, default: 60 },
      maxLockSeconds: { type: 'integer', minimum: 1, default: 3600 },
    },
  } as const;
}

export const httpSignInSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    account: limitsSchema(5),
    address: limitsSchema(20),
    /** Threads that run scrypt, apart from libuv's pool that the store's fdatasync uses. */
    hashingThreads: { type: 'integer', minimum: 1, maximum: 4, default: 1 },
    /** Password checks (sign-ins, hashed WCTP codes) that may wait for a thread; more get 503 / WCTP 605. */
    maxWaitingChecks: { type: 'integer', minimum: 0, default: 32 },
  },
} as const;

export const wctpSignInSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    sender: limitsSchema(5),
    address: limitsSchema(20),
  },
} as const;

export interface HttpSignInConfig {
  account: LockoutLimits;
  address: LockoutLimits;
  hashingThreads: number;
  maxWaitingChecks: number;
}

export function passwordHashingOptions(config: HttpSignInConfig): PasswordHashingOptions {
  return { threads: config.hashingThreads, maxWaiting: config.maxWaitingChecks };
}
