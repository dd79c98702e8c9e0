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
 * State is in memory: one node's view, cleared by a restart.
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

interface Entry {
  failures: number;
  pending: number;
  lastFailureAt: number;
  lockouts: number;
  lockedAt: number;
  lockedUntil: number;
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

  /** Counts one failure; returns the lock it caused, if any. */
  fail(key: string, now: number): Lockout | undefined {
    const e = this.fresh(key, now) ?? this.create(key, now);
    if (e.pending > 0) e.pending--;
    e.failures++;
    e.lastFailureAt = now;
    if (e.lockedUntil > now || e.failures < this.limits.maxFailures) return undefined;
    e.lockouts++;
    const seconds = Math.min(this.limits.lockSeconds * 2 ** (e.lockouts - 1), this.limits.maxLockSeconds);
    e.lockedAt = now;
    e.lockedUntil = now + seconds * 1000;
    // One more failure after the lock ends locks again, for twice as long.
    e.failures = this.limits.maxFailures - 1;
    return this.describe(key, e, this.limits.maxFailures);
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
    const quietSince = Math.max(e.lastFailureAt, e.lockedUntil);
    if (e.pending === 0 && e.lockedUntil <= now && now - quietSince > this.limits.windowSeconds * 1000) {
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

  constructor(private readonly options: SignInGuardOptions) {
    this.maxTracked = options.maxTracked ?? 10000;
    this.subjects = new FailureCounts(options.subjectKind, options.subject, this.maxTracked);
    this.addresses = new FailureCounts(options.addressKind, options.address, this.maxTracked);
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
          else this.subjects.reset(subject);
          this.remember(subject, address);
        },
        failed: async () => {
          end();
          const at = this.options.now();
          const locks = [this.subjects.fail(subject, at), this.addresses.fail(address, at)].filter(
            (l): l is Lockout => l !== undefined,
          );
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

  /** Lifts a lock in force and forgets its failures; undefined when there was none. */
  lift(kind: string, key: string): Lockout | undefined {
    const now = this.options.now();
    if (kind === this.subjects.kind) return this.subjects.lift(key, now);
    if (kind === this.addresses.kind) return this.addresses.lift(key, now);
    return undefined;
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
