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
import { inTransaction, type PgPool } from './database.ts';

/**
 * Failed sign-ins in PostgreSQL, shared by the instances. A failure locks its row (`FOR UPDATE`, after an
 * insert that makes sure there is one to lock), so failures on two instances at once are counted one
 * after the other, never one over the other. Failures are rare, so the few round trips do not matter.
 */
export class PostgresSignInFailures implements SignInFailureStore {
  constructor(private readonly pool: PgPool) {}

  fail(
    kind: string,
    key: string,
    at: Date,
    count: (record: FailureRecord | undefined) => FailureRecord,
  ): Promise<FailureRecord> {
    const before = at.getTime() - SIGN_IN_FAILURES_KEPT_MS;
    return inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM sign_in_failures WHERE locked_until < $1 AND last_failure_at < $1', [
        before,
      ]);
      await client.query(
        `INSERT INTO sign_in_failures (${signInFailureColumns}) VALUES ($1, $2, 0, 0, 0, 0, 0)
         ON CONFLICT (kind, key) DO NOTHING`,
        [kind, key],
      );
      const { rows } = await client.query<SignInFailureRow>(
        `SELECT ${signInFailureColumns} FROM sign_in_failures WHERE kind = $1 AND key = $2 FOR UPDATE`,
        [kind, key],
      );
      const record = toFailureRecord(rows[0]);
      const next = count(record.lastFailureAt === 0 && record.lockedUntil === 0 ? undefined : record);
      await client.query(
        `UPDATE sign_in_failures SET failures = $3, last_failure_at = $4, lockouts = $5, locked_at = $6,
           locked_until = $7 WHERE kind = $1 AND key = $2`,
        [kind, key, ...failureValues(next)],
      );
      return next;
    });
  }

  async forget(kind: string, key: string, unlessLockedAt?: Date): Promise<void> {
    await this.pool.query(
      'DELETE FROM sign_in_failures WHERE kind = $1 AND key = $2 AND locked_until <= $3',
      [kind, key, unlessLockedAt?.getTime() ?? Number.MAX_SAFE_INTEGER],
    );
  }

  async signedIn(kind: string, key: string, address: string, at: Date): Promise<void> {
    await this.pool.query(
      `WITH signed_in AS (
         INSERT INTO sign_in_known_addresses (kind, key, address, signed_in_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, key, address) DO UPDATE SET signed_in_at = excluded.signed_in_at)
       DELETE FROM sign_in_known_addresses WHERE kind = $1 AND key = $2 AND address <> $3 AND address NOT IN (
         SELECT address FROM sign_in_known_addresses WHERE kind = $1 AND key = $2 AND address <> $3
         ORDER BY signed_in_at DESC, address LIMIT $5)`,
      [kind, key, address, at.getTime(), KNOWN_ADDRESSES_KEPT - 1],
    );
  }

  async inForce(now: Date): Promise<SharedFailureRecord[]> {
    const { rows } = await this.pool.query<SignInFailureRow & { known: string[] }>(
      `SELECT ${signInFailureColumns.replace(/(\w+)/g, 'f.$1')},
         ARRAY(SELECT k.address FROM sign_in_known_addresses k WHERE k.kind = f.kind AND k.key = f.key
               ORDER BY k.signed_in_at, k.address) AS known
       FROM sign_in_failures f WHERE f.locked_until > $1 ORDER BY f.kind, f.key`,
      [now.getTime()],
    );
    return rows.map((row) => ({ ...toFailureRecord(row), knownAddresses: row.known }));
  }
}
