import type { ExportedRow, ExportFile, ExportStateStore } from '../export-port.ts';
import type { SqliteDb } from './database.ts';
import type { GroupCommit } from './group-commit.ts';

interface FileRow {
  connector_id: string;
  delivered_at: number;
  name: string;
  period: string;
  mode: 'full' | 'delta';
  row_count: number;
  byte_count: number;
}

/** The file exports' state in the main database (see export-port.ts and migration 012). */
export class SqliteExportState implements ExportStateStore {
  private readonly s;

  constructor(
    db: SqliteDb,
    private readonly commit: GroupCommit,
  ) {
    this.s = {
      files: db.prepare(
        'SELECT * FROM export_files WHERE connector_id = ? ORDER BY delivered_at DESC, rowid DESC LIMIT ?',
      ),
      hashes: db.prepare('SELECT row_key, hash FROM export_held_rows WHERE connector_id = ?').raw(true),
      held: db.prepare(
        'SELECT row_key AS key, hash, record FROM export_held_rows WHERE connector_id = ? AND row_key = ?',
      ),
      clearStaged: db.prepare('DELETE FROM export_staged_rows WHERE connector_id = ?'),
      stage: db.prepare(
        `INSERT INTO export_staged_rows (connector_id, row_key, hash, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (connector_id, row_key) DO UPDATE SET hash = excluded.hash, record = excluded.record`,
      ),
      clearHeld: db.prepare('DELETE FROM export_held_rows WHERE connector_id = ?'),
      promote: db.prepare(
        `INSERT INTO export_held_rows (connector_id, row_key, hash, record)
         SELECT connector_id, row_key, hash, record FROM export_staged_rows WHERE connector_id = ?`,
      ),
      addFile: db.prepare(
        `INSERT INTO export_files (connector_id, delivered_at, name, period, mode, row_count, byte_count)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  async lastFile(connectorId: string): Promise<ExportFile | undefined> {
    return (await this.files(connectorId, 1))[0];
  }

  async files(connectorId: string, limit: number): Promise<ExportFile[]> {
    return (this.s.files.all(connectorId, limit) as FileRow[]).map((r) => ({
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
    const map = new Map<string, string>();
    for (const [key, hash] of this.s.hashes.iterate(connectorId) as Iterable<[string, string]>)
      map.set(key, hash);
    return map;
  }

  async heldRows(connectorId: string, keys: readonly string[]): Promise<ExportedRow[]> {
    const rows: ExportedRow[] = [];
    for (const key of keys) {
      const row = this.s.held.get(connectorId, key) as ExportedRow | undefined;
      if (row) rows.push(row);
    }
    return rows;
  }

  async clearStaged(connectorId: string): Promise<void> {
    await this.commit.write(() => this.s.clearStaged.run(connectorId));
  }

  async stage(connectorId: string, rows: readonly ExportedRow[]): Promise<void> {
    await this.commit.write(() => {
      for (const r of rows) this.s.stage.run(connectorId, r.key, r.hash, r.record);
    });
  }

  async commitFile(file: ExportFile): Promise<void> {
    await this.commit.write(() => {
      this.s.clearHeld.run(file.connectorId);
      this.s.promote.run(file.connectorId);
      this.s.clearStaged.run(file.connectorId);
      this.s.addFile.run(
        file.connectorId,
        file.deliveredAt.getTime(),
        file.name,
        file.period,
        file.mode,
        file.rows,
        file.bytes,
      );
    });
    // The receiver has the file: what it holds must survive a crash from here on.
    await this.commit.durable();
  }
}
