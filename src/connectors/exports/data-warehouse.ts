/**
 * The data warehouse export: once a day one zip with a CSV per table (schedules, assignments, personnel,
 * the schedule change log, view settings) for the hospital's IT to load into its warehouse (Power BI,
 * Tableau). The tables' columns are fixed and documented in docs/data-warehouse.md, so a warehouse load
 * job can rely on them; only the zip's name follows the connector's layout. Every entry is streamed into
 * the zip as it is read, and the entries carry the run's time, so the same data gives the same zip.
 */
import { Readable } from 'node:stream';
import type { ExternalIdKind } from '../../directory/types.ts';
import { csvChunks } from '../files/csv-writer.ts';
import { compileDatePattern } from '../files/date-pattern.ts';
import type { FileTarget } from '../files/file-target.ts';
import type { CompiledLayout } from '../files/layout.ts';
import {
  csvLayout,
  type ExportRun,
  type ExportSpan,
  type FileExportKind,
  type OwnFile,
} from './export-kind.ts';
import { publishedShifts } from './shift-pages.ts';
import { windowSpan } from './spans.ts';

export type WarehouseOptions = Record<string, never>;

/**
 * The crosswalk ids in personnel.csv, named as docs/data-warehouse.md documents them: a fixed list, so a
 * new kind of id in the directory does not move the warehouse's columns.
 */
const crosswalkColumns: ReadonlyArray<[string, ExternalIdKind]> = [
  ['employee_id', 'employeeId'],
  ['unique_id', 'uniqueId'],
  ['custom_1', 'custom1'],
  ['custom_2', 'custom2'],
  ['custom_3', 'custom3'],
  ['custom_4', 'custom4'],
  ['npi', 'npi'],
  ['ehr_user', 'ehrUser'],
  ['epic_ser', 'epicSer'],
  ['upn', 'upn'],
  ['ccc', 'ccc'],
];

const iso = (d: Date | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '');
const yn = (b: boolean) => (b ? 'Y' : 'N');

/**
 * The feed cursor just before the first change committed at or after `from`, found by bisection (a
 * year of changes is read in a few dozen one-row queries, not from the start). Changes are numbered in
 * commit order and stamped with the commit's time, so their times rise with their numbers.
 */
async function cursorBefore(
  schedules: ExportRun<WarehouseOptions>['schedules'],
  from: Date,
): Promise<number> {
  let lo = 0;
  let hi = await schedules.lastChangeSeq();
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [next] = await schedules.changes({ after: mid, limit: 1 });
    if (next && next.at < from) lo = next.seq;
    else hi = mid;
  }
  return lo;
}

/** The tables of the zip, in order, each as its header and its rows. */
export function warehouseTables(run: ExportRun<WarehouseOptions>, span: ExportSpan) {
  const local = compileDatePattern("yyyy-MM-dd'T'HH:mm:ss", run.zone);
  return [
    {
      name: 'schedules.csv',
      header: [
        'shift_id',
        'assignment_id',
        'person_id',
        'start_utc',
        'end_utc',
        'start_local',
        'end_local',
        'call_order',
        'published',
        'source',
        'notes',
      ],
      async *rows() {
        for await (const s of publishedShifts(run.schedules, span.from, span.to, undefined, true)) {
          yield [
            s.id,
            s.assignmentId,
            s.personId,
            iso(s.start),
            iso(s.end),
            local(s.start),
            local(s.end),
            String(s.callOrder),
            yn(s.published),
            s.source,
            run.include.notes ? s.notes : '',
          ];
        }
      },
    },
    {
      name: 'assignments.csv',
      header: ['assignment_id', 'name', 'type', 'department'],
      async *rows() {
        for (const a of await run.schedules.listAssignments()) yield [a.id, a.name, a.type, a.department];
      },
    },
    {
      name: 'personnel.csv',
      header: [
        'person_id',
        'name',
        'title',
        'department',
        'placeholder',
        ...crosswalkColumns.map(([column]) => column),
      ],
      *rows() {
        const people = [...run.directory.people()].sort((a, b) => (a.id < b.id ? -1 : 1));
        for (const p of people) {
          yield [
            p.id,
            p.name,
            p.title ?? '',
            p.department ?? '',
            yn(p.placeholder),
            ...crosswalkColumns.map(([, kind]) => p.ids[kind] ?? ''),
          ];
        }
      },
    },
    {
      name: 'change_log.csv',
      header: [
        'seq',
        'at_utc',
        'source',
        'shift_id',
        'assignment_id',
        'kinds',
        'actor',
        'person_before',
        'person_after',
        'start_before_utc',
        'start_after_utc',
        'end_before_utc',
        'end_after_utc',
      ],
      async *rows() {
        // The changes committed in the span (by default yesterday and today): each day's zip overlaps the
        // one before by a day, so one missed delivery loses nothing.
        for (let after = await cursorBefore(run.schedules, span.from); ; ) {
          const page = await run.schedules.changes({ after, limit: 1000 });
          if (page.length === 0) break;
          for (const c of page) {
            if (c.at < span.from || c.at >= run.at) continue;
            yield [
              String(c.seq),
              iso(c.at),
              c.source,
              c.shiftId,
              c.assignmentId,
              c.kinds.join(' '),
              c.actor,
              c.before?.personId ?? '',
              c.after?.personId ?? '',
              iso(c.before?.start),
              iso(c.after?.start),
              iso(c.before?.end),
              iso(c.after?.end),
            ];
          }
          after = page[page.length - 1].seq;
        }
      },
    },
    {
      name: 'view_settings.csv',
      header: ['setting', 'value'],
      *rows() {
        yield ['time_zone', run.zone];
        yield ['generated_at_utc', iso(run.at)];
        yield ['window_from_utc', iso(span.from)];
        yield ['window_to_utc', iso(span.to)];
        yield ['includes_notes', yn(run.include.notes)];
        yield ['includes_placeholders', yn(run.include.placeholders)];
      },
    },
  ];
}

export const dataWarehouse: FileExportKind<WarehouseOptions> = {
  kind: 'data-warehouse',
  fields: ['table'],
  dateFields: [],
  deltas: false,
  optionKeys: [],
  defaultLayout: (zone) => csvLayout(zone, [{ field: 'table' }], 'data_warehouse_{yyyyMMdd}.zip'),
  readOptions: () => ({}),
  span: (run) => windowSpan(run.at, run.zone, run.window),
  records: async function* () {},
  async writeFiles(run, span, layout: CompiledLayout, target: FileTarget): Promise<OwnFile[]> {
    // Loaded by the first zip, not with the server (as exceljs for the backup): most sites never write one.
    const { default: archiver } = await import('archiver');
    const zip = archiver('zip', { zlib: { level: 6 } });
    const counts = { rows: 0 };
    for (const table of warehouseTables(run, span)) {
      const rows = table.rows();
      async function* counted() {
        for await (const r of rows) {
          counts.rows++;
          yield r;
        }
      }
      zip.append(Readable.from(csvChunks(table.header, counted())), { name: table.name, date: run.at });
    }
    const name = layout.fileName(run.at, run.connectorId);
    const finalized = zip.finalize().then(
      () => undefined,
      (e: Error) => e,
    );
    let delivered: { location: string; bytes: number };
    try {
      delivered = await target.put(name, zip);
    } catch (e) {
      zip.abort();
      throw e;
    }
    const failed = await finalized;
    if (failed) throw failed;
    return [{ name, location: delivered.location, rows: counts.rows, bytes: delivered.bytes }];
  },
};
