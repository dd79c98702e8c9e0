import type { KnownSenderStore } from '../known-sender-port.ts';
import type { PgPool, WritesInFlight } from './database.ts';

export class PostgresKnownSenders implements KnownSenderStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async remember(listener: string, address: string, at: Date): Promise<void> {
    await this.writes.track(
      this.pool.query(
        `INSERT INTO known_senders (listener, address, first_seen, last_seen) VALUES ($1, $2, $3, $3)
         ON CONFLICT (listener, address) DO UPDATE SET last_seen = excluded.last_seen`,
        [listener, address, at.getTime()],
      ),
    );
  }

  async recent(listener: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ address: string }>(
      'SELECT address FROM known_senders WHERE listener = $1 ORDER BY last_seen DESC, address LIMIT $2',
      [listener, limit],
    );
    return rows.map((r) => r.address);
  }
}
