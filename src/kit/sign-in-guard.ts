/**
 * Brute-force protection for anything that checks a secret: failed attempts are counted per subject (an
 * account, a WCTP sender) and per client address. Too many failures within a window lock the subject or
 * the address; each further lock doubles, up to a ceiling; a success resets the subject. While locked,
 * even the right secret is refused, so guessing learns nothing.
 *
 * A subject's lock does not apply to an address that has signed in as that subject before: otherwise
 * anyone could lock the nurse-call system (or the admin) out by guessing at its name from elsewhere. That
 * address stays bound by its own address lock.
 *
 * Checks under way count as failures until they end, so parallel guesses cannot overshoot the limit.
 * State is in memory; with `share` (SharedFailureCounts: the store), every failure is also counted where
 * each instance of a cluster sees it, and the locks any instance made are mirrored here (`mirror`), so
 * guesses spread over the instances behind a balancer lock as they would on one node.
 */

export interface LockoutLimits {
  /** Failures within `windowSeconds` that lock. @defaultValue 5 for accounts, 20 for addresses */
  maxFailures: number;
  /** How long a failure is remembered. @defaultValue 900 */
  windowSeconds: number;
  /** The first lock; each further lock doubles it. @defaultValue 60 */
  lockSeconds: number;
  /** The longest lock. @defaultValue 3600 */
  maxLockSeconds: number;
}

export interface Lockout {
  kind: string;
  key: string;
  lockedAt: Date;
  until: Date;
  /** Failures counted when it locked. */
  failures: number;
  /** How many times in a row it has locked (the lock doubles each time). */
  lockouts: number;
}

/** How audit rows name a lock: `lockout:<kind>:<key>`. */
export function lockoutSubject(lock: Pick<Lockout, 'kind' | 'key'>): string {
  return `lockout:${lock.kind}:${lock.key}`;
}

/** One line for an audit row or a log: how many failures, how long, until when. */
export function describeLockout(lock: Lockout): string {
  const seconds = Math.round((lock.until.getTime() - lock.lockedAt.getTime()) / 1000);
  return `${lock.failures} failed attempts; locked for ${seconds} s until ${lock.until.toISOString()} (lock ${lock.lockouts} in a row)`;
}

export type Admission =
  | { admitted: true; attempt: SignInAttempt }
  | { admitted: false; kind: string; key: string; retryAfterSeconds: number };

/** One check of a secret, admitted by the guard; end it exactly once. */
export interface SignInAttempt {
  succeeded(): void;
  /** Counts the failure; resolves with the locks it caused, once they are recorded (audited). */
  failed(): Promise<Lockout[]>;
  /** Ends the attempt without counting it (the check itself could not run). */
  abandoned(): void;
}

export interface SignInGuardOptions {
  /** Names used in lockouts and in the admin's routes, e.g. 'account' and 'address'. */
  subjectKind: string;
  addressKind: string;
  subject: LockoutLimits;
  address: LockoutLimits;
  now: () => number;
  /** Called for every new lock (the audit log); failed() waits for it. */
  onLockout?: (lockout: Lockout) => Promise<void> | void;
  /** Keys remembered per kind; the oldest unlocked go first. @defaultValue 10000 */
  maxTracked?: number;
}

/** What is remembered of a subject's or an address's failures (instants in ms). */
export interface FailureRecord {
  failures: number;
  lastFailureAt: number;
  lockouts: number;
  lockedAt: number;
  lockedUntil: number;
}

/** A record of failures kept where every instance sees it, with its kind and key. */
export interface SharedFailureRecord extends FailureRecord {
  kind: string;
  key: string;
  /** For a subject: the addresses it signed in from (any instance), which its lock does not hold. */
  knownAddresses?: readonly string[];
}

/** Failure counts kept where every instance of a cluster sees them (the store). */
export interface SharedFailureCounts {
  /**
   * Applies `count` to the record of kind and key under a lock, stores and resolves with its result; `at`
   * is the failure's moment on the guard's clock.
   */
  fail(
    kind: string,
    key: string,
    at: Date,
    count: (record: FailureRecord | undefined) => FailureRecord,
  ): Promise<FailureRecord>;
  /**
   * Forgets a record: an admin's lift, or (with `unlessLockedAt`) a success, which leaves a lock in force
   * at that moment as it is (one made on another instance this one has not heard of yet).
   */
  forget(kind: string, key: string, unlessLockedAt?: Date): Promise<void>;
  /** The subject signed in from `address`: on every instance its lock will not hold that address. */
  signedIn(kind: string, key: string, address: string, at: Date): Promise<void>;
}

/** Whether a record is stale at `now`: unlocked, and without a failure for a whole window. */
function stale(r: FailureRecord, now: number, limits: LockoutLimits): boolean {
  const quietSince = Math.max(r.lastFailureAt, r.lockedUntil);
  return r.lockedUntil <= now && now - quietSince > limits.windowSeconds * 1000;
}

/**
 * One failure more: the record after it. Reaching the limit while unlocked locks, each further lock twice
 * as long (up to the ceiling); after a lock one failure more is enough to lock again.
 */
export function afterFailure(
  before: FailureRecord | undefined,
  now: number,
  limits: LockoutLimits,
): FailureRecord {
  const r: FailureRecord =
    before && !stale(before, now, limits)
      ? {
          failures: before.failures,
          lastFailureAt: before.lastFailureAt,
          lockouts: before.lockouts,
          lockedAt: before.lockedAt,
          lockedUntil: before.lockedUntil,
        }
      : { failures: 0, lastFailureAt: now, lockouts: 0, lockedAt: 0, lockedUntil: 0 };
  r.failures++;
  r.lastFailureAt = now;
  if (r.lockedUntil > now || r.failures < limits.maxFailures) return r;
  r.lockouts++;
  const seconds = Math.min(limits.lockSeconds * 2 ** (r.lockouts - 1), limits.maxLockSeconds);
  r.lockedAt = now;
  r.lockedUntil = now + seconds * 1000;
  r.failures = limits.maxFailures - 1;
  return r;
}

interface Entry extends FailureRecord {
  pending: number;
  /** The lock in force is the shared record's (made here or mirrored): an admin's lift elsewhere ends it. */
  sharedLock?: boolean;
}

/** Known addresses remembered per subject. */
const KNOWN_ADDRESSES = 8;

class FailureCounts {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly kind: string,
    private readonly limits: LockoutLimits,
    private readonly maxTracked: number,
  ) {}

  lockedUntil(key: string, now: number): number {
    const e = this.entries.get(key);
    return e && e.lockedUntil > now ? e.lockedUntil : 0;
  }

  /** Whether the failures already counted and the checks under way use up the limit. */
  full(key: string, now: number): boolean {
    const e = this.fresh(key, now);
    return e !== undefined && e.failures + e.pending >= this.limits.maxFailures;
  }

  begin(key: string, now: number): void {
    const e = this.fresh(key, now) ?? this.create(key, now);
    e.pending++;
  }

  end(key: string): void {
    const e = this.entries.get(key);
    if (e && e.pending > 0) e.pending--;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Counts one failure here; returns the lock it caused, if any. */
  fail(key: string, now: number): Lockout | undefined {
    const e = this.fresh(key, now) ?? this.create(key, now);
    if (e.pending > 0) e.pending--;
    const lockouts = e.lockouts;
    Object.assign(e, afterFailure(e, now, this.limits));
    return e.lockouts > lockouts ? this.describe(key, e, this.limits.maxFailures) : undefined;
  }

  /**
   * Counts one failure in the shared record (which every instance's failures reach) and takes its result
   * here; returns the lock it caused, if any. The check under way ends either way.
   */
  async failShared(key: string, now: number, shared: SharedFailureCounts): Promise<Lockout | undefined> {
    let lockouts = 0;
    const record = await shared.fail(this.kind, key, new Date(now), (before) => {
      lockouts = before?.lockouts ?? 0;
      return afterFailure(before, now, this.limits);
    });
    const e = this.entries.get(key) ?? this.create(key, now);
    if (e.pending > 0) e.pending--;
    Object.assign(e, record);
    e.sharedLock = record.lockedUntil > now;
    return record.lockouts > lockouts ? this.describe(key, e, this.limits.maxFailures) : undefined;
  }

  /**
   * Takes the shared locks in force (every instance's) into this view; a shared lock no longer among them
   * was lifted by an admin on some instance, and ends here too.
   */
  mirror(records: readonly SharedFailureRecord[], now: number): void {
    const inForce = new Set<string>();
    for (const r of records) {
      if (r.kind !== this.kind || r.lockedUntil <= now) continue;
      inForce.add(r.key);
      this.mirrorOne(r, now);
    }
    for (const [key, e] of this.entries)
      if (e.sharedLock && e.lockedUntil > now && !inForce.has(key)) this.entries.delete(key);
  }

  private mirrorOne(r: SharedFailureRecord, now: number): void {
    const e = this.entries.get(r.key) ?? this.create(r.key, now);
    e.sharedLock = true;
    if (e.lockedUntil >= r.lockedUntil) return;
    e.lockedAt = r.lockedAt;
    e.lockedUntil = r.lockedUntil;
    e.lockouts = Math.max(e.lockouts, r.lockouts);
    e.failures = Math.max(e.failures, r.failures);
    e.lastFailureAt = Math.max(e.lastFailureAt, r.lastFailureAt);
  }

  locked(now: number): Lockout[] {
    return [...this.entries]
      .filter(([, e]) => e.lockedUntil > now)
      .map(([key, e]) => this.describe(key, e, e.failures + 1));
  }

  lift(key: string, now: number): Lockout | undefined {
    const e = this.entries.get(key);
    if (!e || e.lockedUntil <= now) return undefined;
    this.entries.delete(key);
    return this.describe(key, e, e.failures + 1);
  }

  private describe(key: string, e: Entry, failures: number): Lockout {
    return {
      kind: this.kind,
      key,
      lockedAt: new Date(e.lockedAt),
      until: new Date(e.lockedUntil),
      failures,
      lockouts: e.lockouts,
    };
  }

  /** The entry, unless it is stale: unlocked and without a failure for a whole window. */
  private fresh(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.pending === 0 && stale(e, now, this.limits)) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private create(key: string, now: number): Entry {
    if (this.entries.size >= this.maxTracked) this.makeRoom(now);
    const e: Entry = {
      failures: 0,
      pending: 0,
      lastFailureAt: now,
      lockouts: 0,
      lockedAt: 0,
      lockedUntil: 0,
    };
    this.entries.set(key, e);
    return e;
  }

  /** Forgets stale keys, then the oldest unlocked ones, down to nine tenths of the limit. */
  private makeRoom(now: number): void {
    const target = Math.floor(this.maxTracked * 0.9);
    for (const key of [...this.entries.keys()]) this.fresh(key, now);
    for (const [key, e] of this.entries) {
      if (this.entries.size <= target) return;
      if (e.lockedUntil <= now && e.pending === 0) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= target) return;
      this.entries.delete(key);
    }
  }
}

export class SignInGuard {
  private readonly subjects: FailureCounts;
  private readonly addresses: FailureCounts;
  /** Addresses each subject has signed in from, newest last. */
  private readonly known = new Map<string, string[]>();
  private readonly maxTracked: number;
  private shared?: { counts: SharedFailureCounts; unreachable: (err: unknown) => void };

  constructor(private readonly options: SignInGuardOptions) {
    this.maxTracked = options.maxTracked ?? 10000;
    this.subjects = new FailureCounts(options.subjectKind, options.subject, this.maxTracked);
    this.addresses = new FailureCounts(options.addressKind, options.address, this.maxTracked);
  }

  /**
   * Counts failures in `counts` too, where every instance sees them. When they cannot be reached, the
   * failure is counted here alone (`unreachable` hears why): the lock of one node still holds.
   */
  share(counts: SharedFailureCounts, unreachable: (err: unknown) => void): void {
    this.shared = { counts, unreachable };
  }

  /**
   * Takes every shared lock in force (any instance's, `records` whole) into this guard's view, and ends the
   * shared locks an admin lifted elsewhere. Kinds this guard does not keep are passed over.
   */
  mirror(records: readonly SharedFailureRecord[]): void {
    const now = this.options.now();
    this.subjects.mirror(records, now);
    this.addresses.mirror(records, now);
    for (const r of records)
      if (r.kind === this.subjects.kind)
        for (const address of r.knownAddresses ?? [])
          if (!this.known.get(r.key)?.includes(address)) this.remember(r.key, address);
  }

  /** The kinds of lock this guard keeps (subject first). */
  get kinds(): readonly [string, string] {
    return [this.options.subjectKind, this.options.addressKind];
  }

  admit(subject: string, address: string): Admission {
    const now = this.options.now();
    const refuse = (kind: string, key: string, until: number): Admission => ({
      admitted: false,
      kind,
      key,
      retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
    });
    const addressLock = this.addresses.lockedUntil(address, now);
    if (addressLock) return refuse(this.addresses.kind, address, addressLock);
    const trusted = this.known.get(subject)?.includes(address) ?? false;
    const subjectLock = trusted ? 0 : this.subjects.lockedUntil(subject, now);
    if (subjectLock) return refuse(this.subjects.kind, subject, subjectLock);
    // Checks under way would use up the limit: wait for them to end.
    if (this.addresses.full(address, now)) return refuse(this.addresses.kind, address, now + 1000);
    if (!trusted && this.subjects.full(subject, now)) return refuse(this.subjects.kind, subject, now + 1000);
    this.addresses.begin(address, now);
    this.subjects.begin(subject, now);
    let ended = false;
    const end = () => {
      if (ended) throw new Error('a sign-in attempt ends only once');
      ended = true;
    };
    return {
      admitted: true,
      attempt: {
        succeeded: () => {
          end();
          this.addresses.end(address);
          // A success from a known address leaves a lock others caused in force.
          if (this.subjects.lockedUntil(subject, this.options.now())) this.subjects.end(subject);
          else {
            this.subjects.reset(subject);
            this.shared?.counts
              .forget(this.subjects.kind, subject, new Date(this.options.now()))
              .catch(this.shared.unreachable);
          }
          this.remember(subject, address);
          this.shared?.counts
            .signedIn(this.subjects.kind, subject, address, new Date(this.options.now()))
            .catch(this.shared.unreachable);
        },
        failed: async () => {
          end();
          const at = this.options.now();
          const locks = (
            await Promise.all([
              this.failOf(this.subjects, subject, at),
              this.failOf(this.addresses, address, at),
            ])
          ).filter((l): l is Lockout => l !== undefined);
          for (const lock of locks) await this.options.onLockout?.(lock);
          return locks;
        },
        abandoned: () => {
          end();
          this.addresses.end(address);
          this.subjects.end(subject);
        },
      },
    };
  }

  /** Every lock in force now. */
  lockouts(): Lockout[] {
    const now = this.options.now();
    return [...this.subjects.locked(now), ...this.addresses.locked(now)];
  }

  /**
   * Lifts a lock in force and forgets its failures; when shared, in the store too, so the other instances
   * end it at their next mirror. Undefined when there was none here.
   */
  async lift(kind: string, key: string): Promise<Lockout | undefined> {
    const now = this.options.now();
    const counts =
      kind === this.subjects.kind ? this.subjects : kind === this.addresses.kind ? this.addresses : undefined;
    if (!counts) return undefined;
    await this.shared?.counts.forget(kind, key);
    return counts.lift(key, now);
  }

  private async failOf(counts: FailureCounts, key: string, at: number): Promise<Lockout | undefined> {
    if (this.shared)
      try {
        return await counts.failShared(key, at, this.shared.counts);
      } catch (err) {
        this.shared.unreachable(err);
      }
    return counts.fail(key, at);
  }

  private remember(subject: string, address: string): void {
    const list = (this.known.get(subject) ?? []).filter((a) => a !== address);
    list.push(address);
    if (list.length > KNOWN_ADDRESSES) list.shift();
    this.known.delete(subject);
    this.known.set(subject, list);
    if (this.known.size > this.maxTracked) this.known.delete(this.known.keys().next().value as string);
  }
}
