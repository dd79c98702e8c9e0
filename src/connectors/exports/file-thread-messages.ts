/**
 * What the export's thread and the thread that makes its file (file-thread.ts) say to each other. All of
 * it crosses as structured clones: plain data, Maps and Dates, no functions.
 */
import type { ExternalIdKind, Person } from '../../directory/types.ts';
import type { Assignment, ShiftReaderForThread } from '../../store/schedule-port.ts';
import type { IncludeSettings, Window } from '../connector.ts';
import type { FileLayout } from '../files/layout.ts';
import type { ExportSpan } from './export-kind.ts';

/** An ExportRun as data: the directory as its people, the assignments as a list, skips collected there. */
export interface RunSnapshot {
  connectorId: string;
  at: Date;
  zone: string;
  people: readonly Person[];
  assignments: readonly Assignment[];
  mapped: ReadonlyMap<string, readonly string[]>;
  personId: ExternalIdKind | 'id';
  window: Window;
  include: IncludeSettings;
  options: unknown;
}

/** What the thread is started with: the module it runs (thread-boot.mjs imports it). */
export interface FileThreadStart {
  entry: string;
}

/** One file to make. */
export interface FileThreadData {
  /** The export's `kind:` (thread-kinds.ts). */
  kind: string;
  reader: ShiftReaderForThread;
  run: RunSnapshot;
  layout: FileLayout;
  span: ExportSpan;
  /** Chunks made and not yet taken, at most. */
  ahead: number;
}

export type FromFileThread =
  | { kind: 'ready' }
  | { kind: 'chunk'; bytes: Uint8Array }
  | { kind: 'done'; rows: number; skips: Array<[string, string]> }
  | { kind: 'failed'; reason: string };

export type ToFileThread =
  /** Load the reader's module ahead of the first file, then say 'ready'. */
  { kind: 'prepare'; module: string } | { kind: 'file'; file: FileThreadData } | { kind: 'taken' };
