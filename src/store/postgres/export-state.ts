import type { ExportedRow, ExportFile, ExportStateStore } from '../export-port.ts';
import { inTransaction, type PgPool, type WritesInFlight } from './database.ts';

interface FileRow {
  connector_id: string;
  delivered_at: number;
  name: string;
  period: string;
  mode: 'full' | 'delta';
  row_count: number;
  byte_count: number;
}

/** The file exports' state in PostgreSQL (see export-port.ts and migration 012). */
export class PostgresExportState implements ExportStateStore {
  constructor(
    private readonly pool: PgPool,
    private readonly writes: WritesInFlight,
  ) {}

  async lastFile(connectorId: string): Promise<ExportFile | undefined> {
    return (await this.files(connectorId, 1))[0];
  }

  async files(connectorId: string, limit: number): Promise<ExportFile[]> {
    // The table has no id: two files delivered in the same millisecond are told apart by where the
    // newer row lies (export_files is only ever appended to).
    const { rows } = await this.pool.query<FileRow>(
      'SELECT * FROM export_files WHERE connector_id = $1 ORDER BY delivered_at DESC, ctid DESC LIMIT $2',
      [connectorId, limit],
    );
    return rows.map((r) => ({
      connectorId: r.connector_id,
      name: r.name,
      period: r.period,
      mode: r.mode,
      rows: r.row_count,
      bytes: r.byte_count,
      deliveredAt: new Date(r.delivered_at),
    }));
  }

  async heldHashes(connectorId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ row_key: string; hash: string }>(
      'SELECT row_key, hash FROM export_held_rows WHERE connector_id = $1',
      [connectorId],
    );
    return new Map(rows.map((r) => [r.row_key, r.hash]));
  }

  async heldRows(connectorId: string, keys: readonly string[]): Promise<ExportedRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.pool.query<ExportedRow>(
      `SELECT row_key AS key, hash, record FROM export_held_rows WHERE connector_id = $1 AND row_key = ANY($2)`,
      [connectorId, [...keys]],
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
  }

  async clearStaged(connectorId: string): Promise<void> {
    await this.writes.track(
      this.pool.query('DELETE FROM export_staged_rows WHERE connector_id = $1', [connectorId]),
    );
  }

  async stage(connectorId: string, rows: readonly ExportedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.writes.track(
      this.pool.query(
        `INSERT INTO export_staged_rows (connector_id, row_key, hash, record)
         SELECT $1, row_key, hash, record FROM unnest($2::text[], $3::text[], $4::text[]) AS t(row_key, hash, record)
         ON CONFLICT (connector_id, row_key) DO UPDATE SET hash = excluded.hash, record = excluded.record`,
        [connectorId, rows.map((r) => r.key), rows.map((r) => r.hash), rows.map((r) => r.record)],
      ),
    );
  }

  async commitFile(file: ExportFile): Promise<void> {
    await this.writes.track(
      inTransaction(this.pool, async (client) => {
        await client.query('DELETE FROM export_held_rows WHERE connector_id = $1', [file.connectorId]);
        await client.query(
          `INSERT INTO export_held_rows (connector_id, row_key, hash, record)
           SELECT connector_id, row_key, hash, record FROM export_staged_rows WHERE connector_id = $1`,
          [file.connectorId],
        );
        await client.query('DELETE FROM export_staged_rows WHERE connector_id = $1', [file.connectorId]);
        await client.query(
          `INSERT INTO export_files (connector_id, delivered_at, name, period, mode, row_count, byte_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            file.connectorId,
            file.deliveredAt.getTime(),
            file.name,
            file.period,
            file.mode,
            file.rows,
            file.bytes,
          ],
        );
      }),
    );
    // The receiver has the file: what it holds must survive a crash from here on.
    await this.writes.durable();
  }
}
