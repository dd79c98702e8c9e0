import type { KnownSenderStore } from '../known-sender-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

export class SqliteKnownSenders implements KnownSenderStore {
  private readonly upsert;
  private readonly latest;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO known_senders (listener, address, first_seen, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (listener, address) DO UPDATE SET last_seen = excluded.last_seen`,
    );
    this.latest = db.prepare(
      'SELECT address FROM known_senders WHERE listener = ? ORDER BY last_seen DESC, address LIMIT ?',
    );
  }

  async remember(listener: string, address: string, at: Date): Promise<void> {
    await this.commit.write(() => this.upsert.run(listener, address, at.getTime(), at.getTime()));
  }

  async recent(listener: string, limit: number): Promise<string[]> {
    return (this.latest.all(listener, limit) as Array<{ address: string }>).map((r) => r.address);
  }
}
