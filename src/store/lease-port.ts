/**
 * Leases for the jobs a cluster runs once, not once per instance (schedule pulls, the connector cycle,
 * imports, the LDAP sync, retention purges: wiring/duty-roster.ts). A lease has a name, the instance that
 * holds it and an expiry. Its holder renews it well before the expiry; when the holder stops cleanly it
 * releases its leases, and when it dies (kill -9, a lost machine) they expire and another instance takes
 * them.
 *
 * Expiry is kept on the store's clock (PostgreSQL's, never an instance's), so instances whose clocks
 * disagree still agree on when a lease ends. A holder measures the lease from the moment it sent its
 * request, which is before the store stamped it: on the holder's own clock the lease always ends first.
 *
 * The embedded store has one instance by construction (the data folder's claim, owner-lock.ts): there a
 * lease left by a previous run is a leftover of a process that is gone, and every take is granted.
 */

/** A lease this instance holds after a take. */
export interface LeaseGrant {
  name: string;
  /**
   * Counts the times the lease changed hands or was taken again after it lapsed. The same term as the
   * holder's last grant means it held the lease without a break since; a new term means it did not.
   */
  term: number;
}

/** Who holds a lease now, as the store sees it. */
export interface LeaseHolding {
  name: string;
  holder: string;
  term: number;
  expiresAt: Date;
}

export interface LeaseStore {
  /**
   * Takes or renews, for `holder` and `ttlMs` from now on the store's clock, each of `names` that is free,
   * expired, or already held by `holder`; resolves with the leases `holder` holds after it, in one atomic
   * step per lease. A lease another holder has and has not let lapse is left alone (and not returned).
   */
  take(names: readonly string[], holder: string, ttlMs: number): Promise<LeaseGrant[]>;
  /** Lets go of those of `names` that `holder` holds (a clean stop): another may take them at once. */
  release(names: readonly string[], holder: string): Promise<void>;
  /** Every lease that has not lapsed, by name. */
  holdings(): Promise<LeaseHolding[]>;
}
