/**
 * The schedule backup for the day the network is down: today and the next three days (the window's
 * daysForward), as a CSV and as an XLSX workbook, every few minutes (as often as every 10). Both are
 * grouped by assignment, in the hospital's words, with each person's pager and phone, so a printout on
 * the operators' desk answers "who is on for cardiology tonight" without any system. In the workbook
 * each assignment starts with its name on a row of its own and the header repeats on every printed page.
 */
import { PassThrough } from 'node:stream';
import type { Shift } from '../../store/schedule-port.ts';
import type { FileTarget } from '../files/file-target.ts';
import type { CompiledLayout } from '../files/layout.ts';
import {
  csvLayout,
  type ExportRun,
  type FileExportKind,
  type KeyedRecord,
  type OwnFile,
} from './export-kind.ts';
import { notesOf, personFor } from './export-options.ts';
import { publishedShifts } from './shift-pages.ts';
import { windowSpan } from './spans.ts';

export type BackupOptions = Record<string, never>;

export const scheduleBackup: FileExportKind<BackupOptions> = {
  kind: 'schedule-backup',
  fields: [
    'assignmentName',
    'department',
    'start',
    'end',
    'callOrder',
    'personName',
    'title',
    'pager',
    'phone',
    'notes',
    'assignmentId',
    'shiftId',
  ],
  dateFields: ['start', 'end'],
  deltas: false,
  optionKeys: [],
  defaultLayout: (zone) => ({
    ...csvLayout(
      zone,
      [
        { field: 'assignmentName', header: 'Assignment' },
        { field: 'start', header: 'Date', format: 'date' },
        { field: 'start', header: 'From', format: 'time' },
        { field: 'end', header: 'Until', format: 'datetime' },
        { field: 'callOrder', header: 'Call order' },
        { field: 'personName', header: 'Name' },
        { field: 'pager', header: 'Pager' },
        { field: 'phone', header: 'Phone' },
        { field: 'notes', header: 'Notes' },
      ],
      'schedule_backup_{yyyyMMdd_HHmm}.csv',
    ),
    dateTimeFormat: 'yyyy-MM-dd HH:mm',
    // People open the backup in a spreadsheet on the bad day: notes must not run as formulas.
    spreadsheetSafe: true,
  }),
  readOptions: () => ({}),
  span: (run) => windowSpan(run.at, run.zone, { daysBack: 0, daysForward: run.window.daysForward }),
  async *records(run, span): AsyncGenerator<KeyedRecord> {
    // Grouped by assignment for paper: four days of a hospital's schedule fit in memory to be sorted.
    const rows: Array<{ name: string; shift: Shift; record: KeyedRecord }> = [];
    for await (const shift of publishedShifts(run.schedules, span.from, span.to)) {
      const who = personFor({ ...run, personId: 'id' }, shift);
      if (!who) continue;
      const name = run.assignment(shift.assignmentId)?.name ?? shift.assignmentId;
      const contact = (kind: string) => who.person?.contacts.find((c) => c.kind === kind)?.address ?? '';
      rows.push({
        name,
        shift,
        record: {
          key: shift.id,
          record: {
            assignmentName: name,
            department: run.assignment(shift.assignmentId)?.department ?? '',
            start: shift.start,
            end: shift.end,
            callOrder: shift.callOrder,
            personName: who.person?.name ?? shift.personId,
            title: who.person?.title ?? '',
            pager: contact('pager'),
            phone: contact('phone'),
            notes: notesOf(run, shift),
            assignmentId: shift.assignmentId,
            shiftId: shift.id,
          },
        },
      });
    }
    rows.sort(
      (a, b) =>
        a.name.localeCompare(b.name, 'en') ||
        a.shift.assignmentId.localeCompare(b.shift.assignmentId) ||
        a.shift.start.getTime() - b.shift.start.getTime() ||
        a.shift.callOrder - b.shift.callOrder ||
        a.shift.id.localeCompare(b.shift.id),
    );
    for (const r of rows) yield r.record;
  },
  writeFiles: writeBackup,
};

async function writeBackup(
  run: ExportRun<BackupOptions>,
  span: { from: Date; to: Date; period: string },
  layout: CompiledLayout,
  target: FileTarget,
): Promise<OwnFile[]> {
  const records: KeyedRecord[] = [];
  for await (const r of scheduleBackup.records(run, span)) records.push(r);
  const csvName = layout.fileName(run.at, run.connectorId);
  const csv = await target.put(csvName, layout.chunks(records.map((r) => r.record)));
  const xlsxName = csvName.replace(/\.csv$/i, '') + '.xlsx';
  // Loaded by the first backup, not with the server: exceljs costs a process 26 MB of memory and 200 ms
  // of start-up, which a site without a backup export never needs.
  const { default: ExcelJS } = await import('exceljs');
  const xlsx = await target.put(xlsxName, workbook(ExcelJS, records, layout, run));
  return [
    { name: csvName, location: csv.location, rows: records.length, bytes: csv.bytes },
    { name: xlsxName, location: xlsx.location, rows: records.length, bytes: xlsx.bytes },
  ];
}

/** The workbook, streamed: the same cells as the CSV, with each assignment's name above its rows. */
function workbook(
  ExcelJS: typeof import('exceljs'),
  records: readonly KeyedRecord[],
  layout: CompiledLayout,
  run: ExportRun<BackupOptions>,
): AsyncIterable<Buffer> {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  book.created = run.at;
  book.modified = run.at;
  const sheet = book.addWorksheet('Schedule', {
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
    },
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = layout.headers.map((h) => ({ header: h, width: Math.max(12, h.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  void (async () => {
    try {
      let group: string | undefined;
      for (const { record } of records) {
        const name = String(record.assignmentName ?? '');
        if (name !== group) {
          group = name;
          const title = sheet.addRow([name]);
          title.font = { bold: true, size: 13 };
          title.commit();
        }
        sheet.addRow(layout.fields(record)).commit();
      }
      sheet.commit();
      await book.commit();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return out;
}
