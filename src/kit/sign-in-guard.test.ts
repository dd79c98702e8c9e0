import { describe, expect, it } from 'vitest';
import {
  type Admission,
  type FailureRecord,
  type Lockout,
  type SharedFailureCounts,
  type SharedFailureRecord,
  type SignInAttempt,
  SignInGuard,
} from './sign-in-guard.ts';

const limits = (maxFailures: number) => ({
  maxFailures,
  windowSeconds: 900,
  lockSeconds: 60,
  maxLockSeconds: 300,
});

function guard(maxTracked?: number) {
  let now = Date.parse('2026-11-22T14:30:00Z');
  const locks: Lockout[] = [];
  const g = new SignInGuard({
    subjectKind: 'account',
    addressKind: 'address',
    subject: limits(3),
    address: limits(10),
    now: () => now,
    onLockout: (l) => {
      locks.push(l);
    },
    maxTracked,
  });
  return {
    g,
    locks,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
}

const attempt = (a: Admission): SignInAttempt => {
  if (!a.admitted) throw new Error(`refused: ${a.kind} ${a.key}`);
  return a.attempt;
};
const fail = (g: SignInGuard, who: string, from: string) => attempt(g.admit(who, from)).failed();

describe('SignInGuard', () => {
  it('locks an account after maxFailures, refuses even a right password, and says for how long', async () => {
    const { g, locks } = guard();
    await fail(g, 'admin', '10.0.0.9');
    await fail(g, 'admin', '10.0.0.9');
    const caused = await fail(g, 'admin', '10.0.0.9');
    expect(caused).toMatchObject([{ kind: 'account', key: 'admin', failures: 3, lockouts: 1 }]);
    expect(locks).toHaveLength(1);
    expect(g.admit('admin', '10.0.0.9')).toEqual({
      admitted: false,
      kind: 'account',
      key: 'admin',
      retryAfterSeconds: 60,
    });
    // Another account from the same address is not locked.
    expect(g.admit('nurse', '10.0.0.9').admitted).toBe(true);
  });

  it('doubles each further lock up to the ceiling, and forgets after a quiet window', async () => {
    const { g, advance } = guard();
    const seconds = [];
    for (let i = 0; i < 3; i++) await fail(g, 'admin', '10.0.0.9');
    for (let round = 0; round < 4; round++) {
      const lock = g.lockouts()[0]!;
      seconds.push((lock.until.getTime() - lock.lockedAt.getTime()) / 1000);
      advance(seconds.at(-1)!);
      // One more failure after a lock ends locks again.
      await fail(g, 'admin', '10.0.0.9');
    }
    expect(seconds).toEqual([60, 120, 240, 300]);
    advance(300 + 901);
    for (let i = 0; i < 2; i++) await fail(g, 'admin', '10.0.0.9');
    expect(g.lockouts()).toEqual([]);
  });

  it('a success resets the account, not the address', async () => {
    const { g } = guard();
    await fail(g, 'admin', '10.0.0.9');
    await fail(g, 'admin', '10.0.0.9');
    attempt(g.admit('admin', '10.0.0.9')).succeeded();
    await fail(g, 'admin', '10.0.0.9');
    await fail(g, 'admin', '10.0.0.9');
    expect(g.lockouts()).toEqual([]);
    // The address kept counting: 4 so far, 10 lock it, whatever the names.
    for (let i = 0; i < 6; i++) await fail(g, `name-${i}`, '10.0.0.9');
    expect(g.lockouts().map((l) => `${l.kind}:${l.key}`)).toContain('address:10.0.0.9');
    expect(g.admit('someone-else', '10.0.0.9')).toMatchObject({ admitted: false, kind: 'address' });
  });

  it('checks under way count, so parallel guesses cannot overshoot the limit', async () => {
    const { g } = guard();
    const admitted = Array.from({ length: 10 }, () => g.admit('admin', '10.0.0.9'));
    expect(admitted.filter((a) => a.admitted)).toHaveLength(3);
    expect(admitted.find((a) => !a.admitted)).toMatchObject({ kind: 'account', retryAfterSeconds: 1 });
    // An abandoned check (the hashing queue was full) does not count.
    for (const a of admitted) if (a.admitted) a.attempt.abandoned();
    expect(g.admit('admin', '10.0.0.9').admitted).toBe(true);
  });

  it("an address that signed in as the account before is not held by the account's lock", async () => {
    const { g } = guard();
    attempt(g.admit('nursecall', '10.1.1.1')).succeeded();
    for (let i = 0; i < 3; i++) await fail(g, 'nursecall', '10.6.6.6');
    expect(g.admit('nursecall', '10.6.6.6').admitted).toBe(false);
    const known = attempt(g.admit('nursecall', '10.1.1.1'));
    known.succeeded();
    // Its success leaves the lock the guessing caused in force for everyone else.
    expect(g.admit('nursecall', '10.6.6.6').admitted).toBe(false);
  });

  it('an admin lifts a lock, which forgets its failures', async () => {
    const { g } = guard();
    for (let i = 0; i < 3; i++) await fail(g, 'admin', '10.0.0.9');
    expect(await g.lift('account', 'nobody')).toBeUndefined();
    expect(await g.lift('account', 'admin')).toMatchObject({ kind: 'account', key: 'admin' });
    expect(g.lockouts()).toEqual([]);
    await fail(g, 'admin', '10.0.0.9');
    expect(g.admit('admin', '10.0.0.9').admitted).toBe(true);
  });

  it('remembers a bounded number of keys, keeping locked ones first', async () => {
    const { g } = guard(20);
    for (let i = 0; i < 3; i++) await fail(g, 'admin', `10.0.1.${i}`);
    for (let i = 0; i < 100; i++) await fail(g, `guess-${i}`, `10.0.2.${i}`);
    expect(g.admit('admin', '10.0.3.1')).toMatchObject({ admitted: false, kind: 'account' });
  });

  describe('shared by the instances of a cluster', () => {
    /** The store's part, as both stores keep it: one record per kind and key, changed one at a time. */
    function sharedCounts(): SharedFailureCounts & {
      inForce(now: number): SharedFailureRecord[];
      down: boolean;
    } {
      const records = new Map<string, SharedFailureRecord>();
      const known = new Map<string, string[]>();
      return {
        down: false,
        async fail(kind, key, _at, count) {
          if (this.down) throw new Error('connection refused');
          const next = count(records.get(`${kind}:${key}`));
          records.set(`${kind}:${key}`, { kind, key, ...next });
          return next;
        },
        async forget(kind, key, unlessLockedAt) {
          const r = records.get(`${kind}:${key}`);
          if (r && unlessLockedAt && r.lockedUntil > unlessLockedAt.getTime()) return;
          records.delete(`${kind}:${key}`);
        },
        async signedIn(kind, key, address) {
          const list = (known.get(`${kind}:${key}`) ?? []).filter((a) => a !== address);
          known.set(`${kind}:${key}`, [...list, address]);
        },
        inForce: (now) =>
          [...records.values()]
            .filter((r: FailureRecord) => r.lockedUntil > now)
            .map((r) => ({ ...r, knownAddresses: known.get(`${r.kind}:${r.key}`) ?? [] })),
      };
    }

    function instances() {
      const shared = sharedCounts();
      const unreachable: unknown[] = [];
      const a = guard();
      const b = guard();
      for (const g of [a.g, b.g]) g.share(shared, (err) => unreachable.push(err));
      const mirror = () => {
        for (const g of [a.g, b.g]) g.mirror(shared.inForce(Date.parse('2026-11-22T14:30:00Z')));
      };
      return { a, b, shared, mirror, unreachable };
    }

    it('locks at the limit when the guesses are spread over the instances', async () => {
      const { a, b, mirror } = instances();
      await fail(a.g, 'admin', '10.0.0.9');
      await fail(b.g, 'admin', '10.0.0.8');
      // The third guess, on A, reaches the limit of 3 counted by both: A locks and says so once.
      expect(await fail(a.g, 'admin', '10.0.0.7')).toMatchObject([
        { kind: 'account', key: 'admin', lockouts: 1 },
      ]);
      expect(a.locks).toHaveLength(1);
      expect(a.g.admit('admin', '10.0.0.6').admitted).toBe(false);
      // B learns of it at its next mirror (every few seconds), and refuses too.
      mirror();
      expect(b.g.admit('admin', '10.0.0.6')).toMatchObject({
        admitted: false,
        kind: 'account',
        retryAfterSeconds: 60,
      });
      expect(b.locks).toHaveLength(0);
      expect(b.g.lockouts()).toMatchObject([{ kind: 'account', key: 'admin' }]);
    });

    it("an admin's lift on one instance ends the lock on the others at their next mirror", async () => {
      const { a, b, mirror } = instances();
      for (let i = 0; i < 3; i++) await fail(a.g, 'admin', '10.0.0.9');
      mirror();
      expect(b.g.admit('admin', '10.0.0.9').admitted).toBe(false);
      expect(await a.g.lift('account', 'admin')).toMatchObject({ key: 'admin' });
      mirror();
      expect(b.g.admit('admin', '10.0.0.9').admitted).toBe(true);
    });

    it('a success forgets the shared failures of the account', async () => {
      const { a, b } = instances();
      await fail(a.g, 'admin', '10.0.0.9');
      await fail(b.g, 'admin', '10.0.0.9');
      attempt(b.g.admit('admin', '10.0.0.9')).succeeded();
      await new Promise((r) => setImmediate(r));
      await fail(a.g, 'admin', '10.0.0.9');
      await fail(a.g, 'admin', '10.0.0.9');
      expect(a.g.admit('admin', '10.0.0.9').admitted).toBe(true);
    });

    it('an address the subject signed in from on one instance is not held by its lock on the others', async () => {
      const { a, b, mirror } = instances();
      attempt(a.g.admit('nursecall', '10.1.1.1')).succeeded();
      await new Promise((r) => setImmediate(r));
      // Someone elsewhere guesses at the nurse call system's name on B, which never saw it sign in.
      for (let i = 0; i < 3; i++) await fail(b.g, 'nursecall', '10.6.6.6');
      expect(b.g.admit('nursecall', '10.1.1.1').admitted).toBe(false);
      mirror();
      expect(b.g.admit('nursecall', '10.1.1.1').admitted).toBe(true);
      expect(b.g.admit('nursecall', '10.6.6.7').admitted).toBe(false);
    });

    it('counts here alone while the store cannot be reached, so one node still locks', async () => {
      const { a, shared, unreachable } = instances();
      shared.down = true;
      for (let i = 0; i < 3; i++) await fail(a.g, 'admin', '10.0.0.9');
      expect(a.g.admit('admin', '10.0.0.9').admitted).toBe(false);
      expect(unreachable.length).toBeGreaterThan(0);
    });
  });
});
