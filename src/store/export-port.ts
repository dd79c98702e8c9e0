/**
 * What the file exports keep between runs. Some receivers take the whole schedule in every file (Epic On
 * Call Finder, the backup); others take it whole once and then only what changed (Kronos / UKG Workforce
 * Dimensions per pay period, New Innovations duty hours). For those the store keeps, per connector, the
 * rows the receiver holds after the last delivered file, so the next file is exactly the difference, also
 * after a restart.
 *
 * A file's rows are staged while the file is written and become "what the receiver holds" only when the
 * file has been delivered (`commitFile`): a failed or interrupted delivery leaves the last delivered state,
 * and the next attempt computes its difference from there again.
 */

/** One row as the receiver holds it: its key (a shift id, a shift and day), a hash of its values, the values. */
export interface ExportedRow {
  key: string;
  hash: string;
  /** The record as JSON text (dates as ISO instants): a deletion line repeats what was sent. */
  record: string;
}

/** A delivered file, as the exports' history lists it. */
export interface ExportFile {
  connectorId: string;
  name: string;
  /** The period the file belongs to (a pay period's first day); '' for exports without periods. */
  period: string;
  /** 'full' (every row of the period) or 'delta' (only the rows that changed). */
  mode: 'full' | 'delta';
  rows: number;
  bytes: number;
  deliveredAt: Date;
}

export interface ExportStateStore {
  /** The newest delivered file of a connector. */
  lastFile(connectorId: string): Promise<ExportFile | undefined>;
  /** Delivered files, newest first. */
  files(connectorId: string, limit: number): Promise<ExportFile[]>;
  /** Key → hash of every row the receiver holds: the other side of the next difference. */
  heldHashes(connectorId: string): Promise<Map<string, string>>;
  /** The held rows with these keys (for the deletion lines of a delta). */
  heldRows(connectorId: string, keys: readonly string[]): Promise<ExportedRow[]>;
  /** Forgets rows staged by an earlier attempt that was never delivered. */
  clearStaged(connectorId: string): Promise<void>;
  /** Stages rows of the file being written (call as often as needed; in batches). */
  stage(connectorId: string, rows: readonly ExportedRow[]): Promise<void>;
  /**
   * The file was delivered: in one transaction the staged rows become the held rows (replacing them all)
   * and the file is recorded.
   */
  commitFile(file: ExportFile): Promise<void>;
}
