import type { FailureRecord, SharedFailureRecord } from '../../kit/sign-in-guard.ts';
import {
  failureValues,
  type SignInFailureRow,
  signInFailureColumns,
  toFailureRecord,
} from '../rows/sign-in-failures.ts';
import {
  KNOWN_ADDRESSES_KEPT,
  SIGN_IN_FAILURES_KEPT_MS,
  type SignInFailureStore,
} from '../sign-in-failure-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

/** Failed sign-ins in the embedded database: one process, so each change runs inside one write. */
export class SqliteSignInFailures implements SignInFailureStore {
  private readonly s;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.s = {
      get: db.prepare(`SELECT ${signInFailureColumns} FROM sign_in_failures WHERE kind = ? AND key = ?`),
      put: db.prepare(
        `INSERT INTO sign_in_failures (${signInFailureColumns}) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET failures = excluded.failures,
           last_failure_at = excluded.last_failure_at, lockouts = excluded.lockouts,
           locked_at = excluded.locked_at, locked_until = excluded.locked_until`,
      ),
      forget: db.prepare('DELETE FROM sign_in_failures WHERE kind = ? AND key = ? AND locked_until <= ?'),
      inForce: db.prepare(
        `SELECT ${signInFailureColumns} FROM sign_in_failures WHERE locked_until > ? ORDER BY kind, key`,
      ),
      signedIn: db.prepare(
        `INSERT INTO sign_in_known_addresses (kind, key, address, signed_in_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, key, address) DO UPDATE SET signed_in_at = excluded.signed_in_at`,
      ),
      trimKnown: db.prepare(
        `DELETE FROM sign_in_known_addresses WHERE kind = ? AND key = ? AND address NOT IN (
           SELECT address FROM sign_in_known_addresses WHERE kind = ? AND key = ?
           ORDER BY signed_in_at DESC, address LIMIT ?)`,
      ),
      known: db.prepare(
        'SELECT address FROM sign_in_known_addresses WHERE kind = ? AND key = ? ORDER BY signed_in_at, address',
      ),
      sweep: db.prepare('DELETE FROM sign_in_failures WHERE locked_until < ? AND last_failure_at < ?'),
    };
  }

  fail(
    kind: string,
    key: string,
    at: Date,
    count: (record: FailureRecord | undefined) => FailureRecord,
  ): Promise<FailureRecord> {
    const before = at.getTime() - SIGN_IN_FAILURES_KEPT_MS;
    return this.commit.write(() => {
      this.s.sweep.run(before, before);
      const row = this.s.get.get(kind, key) as SignInFailureRow | undefined;
      const next = count(row ? toFailureRecord(row) : undefined);
      this.s.put.run(kind, key, ...failureValues(next));
      return next;
    });
  }

  async forget(kind: string, key: string, unlessLockedAt?: Date): Promise<void> {
    const at = unlessLockedAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
    await this.commit.write(() => this.s.forget.run(kind, key, at));
  }

  async signedIn(kind: string, key: string, address: string, at: Date): Promise<void> {
    await this.commit.write(() => {
      this.s.signedIn.run(kind, key, address, at.getTime());
      this.s.trimKnown.run(kind, key, kind, key, KNOWN_ADDRESSES_KEPT);
    });
  }

  async inForce(now: Date): Promise<SharedFailureRecord[]> {
    return (this.s.inForce.all(now.getTime()) as SignInFailureRow[]).map((row) => {
      const known = this.s.known.all(row.kind, row.key) as Array<{ address: string }>;
      return { ...toFailureRecord(row), knownAddresses: known.map((k) => k.address) };
    });
  }
}
