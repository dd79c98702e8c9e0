/**
 * Failed sign-ins counted where every instance sees them (kit/sign-in-guard.ts counts them in memory too):
 * behind a balancer, guesses spread over the instances lock an account or an address as on one node. One
 * record per kind (account, address, wctp-sender…) and key; the guard's own arithmetic decides what a
 * failure does to it, applied under the record's lock so two instances' failures never overwrite each
 * other.
 */
import type { FailureRecord, SharedFailureRecord } from '../kit/sign-in-guard.ts';

export interface SignInFailureStore {
  /**
   * Applies `count` to the record of kind and key under its lock, stores and resolves with the result.
   * Records quiet for a week before `at` (the failure's moment) are swept on the way.
   */
  fail(
    kind: string,
    key: string,
    at: Date,
    count: (record: FailureRecord | undefined) => FailureRecord,
  ): Promise<FailureRecord>;
  /**
   * Forgets the record of kind and key: an admin's lift, or (with `unlessLockedAt`) a success, which
   * leaves a lock in force at that moment as it is.
   */
  forget(kind: string, key: string, unlessLockedAt?: Date): Promise<void>;
  /** Every record locked at `now`, whichever instance locked it. */
  inForce(now: Date): Promise<SharedFailureRecord[]>;
}

/** Records neither locked nor failed for this long are swept (longer than any window or lock a site sets). */
export const SIGN_IN_FAILURES_KEPT_MS = 7 * 86_400_000;
