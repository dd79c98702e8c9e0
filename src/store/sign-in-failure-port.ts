/**
 * Failed sign-ins counted where every instance sees them (kit/sign-in-guard.ts counts them in memory too):
 * behind a balancer, guesses spread over the instances lock an account or an address as on one node. One
 * record per kind (account, address, wctp-sender…) and key; the guard's own arithmetic decides what a
 * failure does to it, applied under the record's lock so two instances' failures never overwrite each
 * other.
 */
import type { SharedFailureCounts, SharedFailureRecord } from '../kit/sign-in-guard.ts';

/**
 * The guard's shared counts (`fail`, `forget`: see SharedFailureCounts) kept in the store; `fail` also
 * sweeps the records quiet for a week before the failure's moment.
 */
export interface SignInFailureStore extends SharedFailureCounts {
  /**
   * Every record locked at `now`, whichever instance locked it, with the addresses its subject signed in
   * from (the newest KNOWN_ADDRESSES_KEPT are kept per subject).
   */
  inForce(now: Date): Promise<SharedFailureRecord[]>;
}

/** Addresses kept per subject, as the guard keeps them. */
export const KNOWN_ADDRESSES_KEPT = 8;

/** Records neither locked nor failed for this long are swept (longer than any window or lock a site sets). */
export const SIGN_IN_FAILURES_KEPT_MS = 7 * 86_400_000;
