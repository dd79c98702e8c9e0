import type { LeaseGrant, LeaseHolding, LeaseStore } from '../lease-port.ts';
import type { SqliteDb } from './database.ts';

/**
 * Leases in the embedded database (lease-port.ts). One process runs on a data folder (owner-lock.ts), so
 * a lease held under another name is what a previous run left: every take is granted, through the same
 * statement shape and terms as PostgreSQL's, on this process's clock. A lease is no record of anything
 * that happened, and the roster renews every few seconds: its statements run on their own, outside the
 * group commit, so they never cause a flush of the write-ahead log (an idle server stays idle on the disk).
 * Run while the group commit has a transaction open, they join it.
 */
export class SqliteLeases implements LeaseStore {
  private readonly s;
  private readonly takeAll;

  constructor(
    db: SqliteDb,
    private readonly now: () => number = Date.now,
  ) {
    this.s = {
      take: db.prepare(
        `INSERT INTO leases (name, holder, term, expires_at) VALUES (@name, @holder, 1, @expires)
         ON CONFLICT (name) DO UPDATE SET
           holder = excluded.holder,
           term = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > @now
                       THEN leases.term ELSE leases.term + 1 END,
           expires_at = excluded.expires_at
         RETURNING name, term`,
      ),
      release: db.prepare(
        'UPDATE leases SET expires_at = @now WHERE holder = @holder AND name = @name AND expires_at > @now',
      ),
      holdings: db.prepare(
        'SELECT name, holder, term, expires_at FROM leases WHERE expires_at > ? ORDER BY name',
      ),
    };
    this.takeAll = db.transaction((names: string[], holder: string, now: number, expires: number) =>
      names.map((name) => this.s.take.get({ name, holder, expires, now }) as LeaseGrant),
    );
  }

  async take(names: readonly string[], holder: string, ttlMs: number): Promise<LeaseGrant[]> {
    const now = this.now();
    return this.takeAll([...new Set(names)], holder, now, now + Math.round(ttlMs));
  }

  async release(names: readonly string[], holder: string): Promise<void> {
    const now = this.now();
    for (const name of names) this.s.release.run({ name, holder, now });
  }

  async holdings(): Promise<LeaseHolding[]> {
    const rows = this.s.holdings.all(this.now()) as Array<{
      name: string;
      holder: string;
      term: number;
      expires_at: number;
    }>;
    return rows.map((r) => ({
      name: r.name,
      holder: r.holder,
      term: r.term,
      expiresAt: new Date(r.expires_at),
    }));
  }
}
