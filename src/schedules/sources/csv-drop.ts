/**
 * A CSV drop: a folder, here or on an SFTP server, that a scheduling office (or its export job) drops
 * schedule files into. Each pull takes the oldest settled file that matches the name pattern, reads it
 * (csv-drop-layout.ts) and hands it to the engine as a window pull over the time its shifts cover, from
 * the earliest start to the latest end: within that span the file is the whole schedule of this source,
 * and what it leaves out is removed. After the engine has applied it, the file is moved to `processed/`
 * under the time it was moved; a file that does not read is moved to `rejected/` at once, with a note
 * `<name>.reason.txt` beside it, and the pull fails, changing nothing. With no file waiting the pull
 * changes nothing either. One file per pull, so two files are never read as one schedule.
 */
import { type CsvDropColumns, type CsvDropLayout, configCsvColumns, readCsvDrop } from './csv-drop-layout.ts';
import { asideName, type DroppedFile } from './drop-folder.ts';
import {
  type DropLocation,
  dropLocationKeys,
  oldestSettledFile,
  openDropFolder,
  readDropLocation,
  rejectFile,
} from './drop-location.ts';
import type { PullRequest, ScheduleSourceClient, SourceContext, SourceKind, SourcePull } from './source.ts';
import { SourceError } from './source.ts';
import { SourceOptions } from './source-options.ts';

export interface CsvDropOptions extends DropLocation {
  layout: CsvDropLayout;
  timezone?: string;
}

const columnKeys: Array<keyof CsvDropColumns> = [
  'staff',
  'task',
  'start',
  'end',
  'date',
  'callOrder',
  'notes',
  'published',
  'id',
];
/** How many of a rejected file's problems the source's status shows; the note beside the file has all. */
const problemsShown = 5;

export const csvDropKind: SourceKind<CsvDropOptions> = {
  kind: 'csv-drop',
  readOptions(options, report) {
    const o = new SourceOptions(options, report, [
      ...dropLocationKeys,
      'columns',
      'dateTimeFormat',
      'dateFormat',
      'timeFormat',
      'timezone',
    ]);
    const location = readDropLocation(o);
    const columns: CsvDropColumns = { ...configCsvColumns };
    const requiredOptional: Array<keyof CsvDropColumns> = [];
    const given = o.nested('columns', columnKeys);
    if (given) {
      for (const key of columnKeys) {
        const name = given.text(key, false);
        if (name === undefined) continue;
        columns[key] = name;
        if (!['staff', 'task', 'start', 'end', 'date'].includes(key)) requiredOptional.push(key);
      }
    }
    const dateTimeFormat = o.text('dateTimeFormat', false);
    const dateFormat = o.text('dateFormat', false, 'yyyy-MM-dd');
    const timeFormat = o.text('timeFormat', false, 'HH:mm');
    if (columns.date && dateTimeFormat)
      o.report(
        'dateTimeFormat',
        'is for start and end without a date column; with columns.date use dateFormat and timeFormat',
      );
    const timezone = o.zone('timezone');
    if (o.failed || !location) return undefined;
    return {
      ...location,
      layout: {
        columns,
        requiredOptional,
        dateFormat,
        timeFormat,
        ...(dateTimeFormat ? { dateTimeFormat } : {}),
      },
      ...(timezone ? { timezone } : {}),
    };
  },
  create: (options, context) => new CsvDropClient(options, context),
};

export class CsvDropClient implements ScheduleSourceClient {
  readonly kind = 'csv-drop';
  private readonly zone: string;
  /** The file each pull was read from, to move aside once the engine has applied that pull. */
  private readonly fileOf = new WeakMap<SourcePull, DroppedFile>();

  constructor(
    private readonly options: CsvDropOptions,
    private readonly context: SourceContext,
    private readonly now: () => number = Date.now,
  ) {
    this.zone = options.timezone ?? context.zone;
  }

  async pull(request: PullRequest): Promise<SourcePull> {
    const folder = openDropFolder(this.options, this.context.configDir);
    try {
      const file = await oldestSettledFile(folder, this.options, this.now());
      if (!file) return { mode: 'delta', shifts: [], deleted: [] };
      const text = (await folder.read(file.name)).toString('utf8');
      const read = readCsvDrop(text, this.options.layout, this.zone);
      if (!read.ok) {
        const aside = await rejectFile(folder, file.name, new Date(this.now()), read.problems);
        const more =
          read.problems.length > problemsShown
            ? ` (and ${read.problems.length - problemsShown} more, in rejected/${aside}.reason.txt)`
            : '';
        throw new SourceError(
          `${file.name}: rejected, moved to rejected/${aside}: ${read.problems.slice(0, problemsShown).join('; ')}${more}`,
        );
      }
      request.progress?.(read.shifts.length);
      let from = read.shifts[0].start;
      let to = read.shifts[0].end;
      for (const s of read.shifts) {
        if (s.start < from) from = s.start;
        if (s.end > to) to = s.end;
      }
      // The same file read again (it stays while a mass delete is held) is no second opinion.
      const origin = `${file.name}@${file.size}:${Math.floor(file.modifiedMs)}`;
      const pull: SourcePull = { mode: 'window', from, to, shifts: read.shifts, origin };
      this.fileOf.set(pull, file);
      return pull;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      throw new SourceError(`${folder.description}: ${(error as Error).message}`);
    } finally {
      await folder.close();
    }
  }

  async applied(pull: SourcePull): Promise<void> {
    const read = this.fileOf.get(pull);
    if (!read) return;
    const folder = openDropFolder(this.options, this.context.configDir);
    try {
      // Gone: moved by an earlier call for the same file. Changed since it was read (the office dropped a
      // new version under the same name): left for the next pull to read, not put away unread.
      const now = (await folder.list()).find((f) => f.name === read.name);
      if (!now || now.size !== read.size || now.modifiedMs !== read.modifiedMs) return;
      await folder.moveAside(read.name, 'processed', asideName(read.name, new Date(this.now())));
      this.fileOf.delete(pull);
    } finally {
      await folder.close();
    }
  }
}
