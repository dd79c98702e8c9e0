import type { FailureRecord, SharedFailureRecord } from '../../kit/sign-in-guard.ts';

/** Failed sign-in rows as both stores keep them (migration 025), and how they read back. */
export interface SignInFailureRow {
  kind: string;
  key: string;
  failures: number;
  last_failure_at: number | string;
  lockouts: number;
  locked_at: number | string;
  locked_until: number | string;
}

export const signInFailureColumns = 'kind, key, failures, last_failure_at, lockouts, locked_at, locked_until';

export const toFailureRecord = (r: SignInFailureRow): SharedFailureRecord => ({
  kind: r.kind,
  key: r.key,
  failures: r.failures,
  lastFailureAt: Number(r.last_failure_at),
  lockouts: r.lockouts,
  lockedAt: Number(r.locked_at),
  lockedUntil: Number(r.locked_until),
});

/** The record's values in column order after kind and key. */
export const failureValues = (r: FailureRecord) => [
  r.failures,
  r.lastFailureAt,
  r.lockouts,
  r.lockedAt,
  r.lockedUntil,
];
