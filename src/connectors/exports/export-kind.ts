/**
 * What one file export is (Epic On Call Finder, Kronos WFD, the backup...): the fields its records carry,
 * its shipped layout, the span of schedule a file covers and the records of that span. The rest (the
 * layout a site overrides, writing the CSV, full and delta files, the SFTP or folder target, retries) is
 * the same for all of them (export-file.ts, file-connector.ts).
 */
import type { Directory } from '../../directory/directory.ts';
import type { ExternalIdKind } from '../../directory/types.ts';
import type { SectionChecks } from '../../kit/section-checks.ts';
import type { Assignment, ScheduleStore } from '../../store/schedule-port.ts';
import type { IncludeSettings, Window } from '../connector.ts';
import type { FileTarget } from '../files/file-target.ts';
import type { CompiledLayout, ExportRecord, FileLayout } from '../files/layout.ts';

/** Everything a run reads: the store, the model as it is now, the connector's settings. */
export interface ExportRun<Options> {
  connectorId: string;
  at: Date;
  zone: string;
  schedules: ScheduleStore;
  directory: Directory;
  assignment: (id: string) => Assignment | undefined;
  /** The connector's assignments (empty: every assignment). */
  mapped: ReadonlyMap<string, readonly string[]>;
  personId: ExternalIdKind | 'id';
  window: Window;
  include: IncludeSettings;
  options: Options;
  /** Rows left out, with the reason (a person without the crosswalk id): reported, never guessed. */
  skip(subject: string, reason: string): void;
}

/** The schedule a file covers. `period` names a pay period, so a delta export starts full in each. */
export interface ExportSpan {
  from: Date;
  to: Date;
  period: string;
}

/** A record with the key a delta file tracks it by (a shift id, a shift and a day). */
export interface KeyedRecord {
  key: string;
  record: ExportRecord;
}

export interface FileExportKind<Options> {
  /** The `kind:` in connectors.yaml. */
  readonly kind: string;
  /** Fields a layout may name. */
  readonly fields: readonly string[];
  /** Fields that hold instants (revived from JSON for a delta's deletion lines). */
  readonly dateFields: readonly string[];
  /** Full then deltas (with an `action` field), instead of the whole span in every file. */
  readonly deltas: boolean;
  /** The shipped layout, in the site's zone. */
  defaultLayout(zone: string): FileLayout;
  /** Keys allowed under `options:` besides the shared ones (delivery, layout). */
  readonly optionKeys: readonly string[];
  readOptions(raw: Record<string, unknown>, checks: SectionChecks, path: Array<string | number>): Options;
  span(run: ExportRun<Options>): ExportSpan;
  records(run: ExportRun<Options>, span: ExportSpan): AsyncIterable<KeyedRecord>;
  /**
   * Writes files of its own instead of the one CSV of its layout (the backup's CSV and XLSX, the data
   * warehouse's zip); the CSV layout is still the connector's.
   */
  writeFiles?(
    run: ExportRun<Options>,
    span: ExportSpan,
    layout: CompiledLayout,
    target: FileTarget,
  ): Promise<OwnFile[]>;
}

/** A file an export wrote itself. */
export interface OwnFile {
  name: string;
  location: string;
  rows: number;
  bytes: number;
}

/** The default shape of a CSV layout; each export gives its columns and file name. */
export function csvLayout(zone: string, columns: FileLayout['columns'], fileName: string): FileLayout {
  return {
    columns,
    header: true,
    delimiter: ',',
    quote: 'minimal',
    lineEnding: 'crlf',
    dateFormat: 'yyyy-MM-dd',
    timeFormat: 'HH:mm',
    dateTimeFormat: "yyyy-MM-dd'T'HH:mm:ss",
    timeZone: zone,
    booleans: ['Y', 'N'],
    fileName,
  };
}
