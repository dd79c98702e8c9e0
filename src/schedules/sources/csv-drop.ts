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
import { isAbsolute, join } from 'node:path';
import { isValidZone } from '../../kit/zone-clock.ts';
import { type CsvDropColumns, type CsvDropLayout, configCsvColumns, readCsvDrop } from './csv-drop-layout.ts';
import { asideName, type DropFolder, LocalDropFolder, namePattern } from './drop-folder.ts';
import { pinnedFingerprint, SftpDropFolder, type SftpDropOptions } from './sftp-drop-folder.ts';
import type { PullRequest, ScheduleSourceClient, SourceContext, SourceKind, SourcePull } from './source.ts';
import { SourceError } from './source.ts';
import { SourceOptions } from './source-options.ts';

export interface CsvDropOptions {
  /** A folder on this machine (relative to the config folder), or `sftp`. */
  folder?: string;
  sftp?: SftpDropOptions;
  /** @defaultValue '*.csv' */
  files: string;
  /** A file modified less than this long ago may still be being written. @defaultValue 30 */
  settleSeconds: number;
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
      'folder',
      'sftp',
      'files',
      'settleSeconds',
      'columns',
      'dateTimeFormat',
      'dateFormat',
      'timeFormat',
      'timezone',
    ]);
    const folder = o.text('folder', false);
    const sftp = readSftpDrop(o);
    if ((folder === undefined) === (sftp === undefined) && !o.failed) {
      o.report('folder', 'give either folder (on this machine) or sftp (on a server), not both or neither');
    }
    const files = o.text('files', false, '*.csv');
    const settleSeconds = o.whole('settleSeconds', 0, 86_400, 30);
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
    const timezone = o.text('timezone', false);
    if (timezone !== undefined && !isValidZone(timezone)) {
      o.report('timezone', `is not an IANA time zone (e.g. America/Chicago): ${timezone}`);
    }
    if (o.failed) return undefined;
    return {
      ...(folder ? { folder } : {}),
      ...(sftp ? { sftp } : {}),
      files,
      settleSeconds,
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

/** The `sftp:` mapping of a drop folder (also read by the demographic import). */
export function readSftpDrop(o: SourceOptions): SftpDropOptions | undefined {
  const s = o.nested('sftp', [
    'host',
    'port',
    'username',
    'password',
    'privateKey',
    'hostKey',
    'path',
    'timeoutSeconds',
  ]);
  if (!s) return undefined;
  const host = s.text('host', true);
  const port = s.whole('port', 1, 65_535, 22);
  const username = s.text('username', true);
  const password = s.has('password') ? s.secret('password', 'DROP_SFTP_PASSWORD') : undefined;
  const privateKey = s.has('privateKey') ? s.secret('privateKey', 'DROP_SFTP_KEY') : undefined;
  if (!s.has('password') && !s.has('privateKey'))
    s.report('password', 'give password or privateKey (from the environment)');
  const hostKey = s.text('hostKey', true);
  if (hostKey !== undefined && !pinnedFingerprint(hostKey)) {
    s.report('hostKey', "must be the server's SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:…)");
  }
  const path = s.text('path', false, '.');
  const timeoutSeconds = s.whole('timeoutSeconds', 1, 600, 20);
  if (s.failed || !host || !username || !hostKey) return undefined;
  return {
    host,
    port,
    username,
    hostKey,
    path,
    timeoutSeconds,
    ...(password ? { password } : {}),
    ...(privateKey ? { privateKey } : {}),
  };
}

export class CsvDropClient implements ScheduleSourceClient {
  readonly kind = 'csv-drop';
  private readonly zone: string;
  private readonly pattern: RegExp;
  /** The file each pull was read from, to move aside once the engine has applied that pull. */
  private readonly fileOf = new WeakMap<SourcePull, string>();

  constructor(
    private readonly options: CsvDropOptions,
    private readonly context: SourceContext,
    private readonly now: () => number = Date.now,
  ) {
    this.zone = options.timezone ?? context.zone;
    this.pattern = namePattern(options.files);
  }

  async pull(request: PullRequest): Promise<SourcePull> {
    const folder = this.open();
    try {
      const settledBefore = this.now() - this.options.settleSeconds * 1000;
      const waiting = (await folder.list())
        .filter((f) => this.pattern.test(f.name) && Math.floor(f.modifiedMs) <= settledBefore)
        .sort((a, b) => a.modifiedMs - b.modifiedMs || a.name.localeCompare(b.name));
      const file = waiting[0];
      if (!file) return { mode: 'delta', shifts: [], deleted: [] };
      const text = (await folder.read(file.name)).toString('utf8');
      const read = readCsvDrop(text, this.options.layout, this.zone);
      if (!read.ok) {
        const aside = asideName(file.name, new Date(this.now()));
        const note = `${file.name} from ${folder.description} was rejected (${new Date(this.now()).toISOString()}):\n${read.problems.join('\n')}\n`;
        await folder.moveAside(file.name, 'rejected', aside);
        await folder.writeNote('rejected', `${aside}.reason.txt`, note);
        const more =
          read.problems.length > problemsShown
            ? ` (and ${read.problems.length - problemsShown} more, in rejected/${aside}.reason.txt)`
            : '';
        throw new SourceError(
          `${file.name}: rejected, moved to rejected/${aside}: ${read.problems.slice(0, problemsShown).join('; ')}${more}`,
        );
      }
      request.progress?.(read.shifts.length);
      const from = new Date(Math.min(...read.shifts.map((s) => s.start.getTime())));
      const to = new Date(Math.max(...read.shifts.map((s) => s.end.getTime())));
      const pull: SourcePull = { mode: 'window', from, to, shifts: read.shifts };
      this.fileOf.set(pull, file.name);
      return pull;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      throw new SourceError(`${folder.description}: ${(error as Error).message}`);
    } finally {
      await folder.close();
    }
  }

  async applied(pull: SourcePull): Promise<void> {
    const name = this.fileOf.get(pull);
    if (!name) return;
    const folder = this.open();
    try {
      // Already moved by an earlier call for the same file: nothing left to do.
      if (!(await folder.list()).some((f) => f.name === name)) return;
      await folder.moveAside(name, 'processed', asideName(name, new Date(this.now())));
      this.fileOf.delete(pull);
    } finally {
      await folder.close();
    }
  }

  private open(): DropFolder {
    if (this.options.sftp) return new SftpDropFolder(this.options.sftp);
    const path = this.options.folder ?? '.';
    return new LocalDropFolder(isAbsolute(path) ? path : join(this.context.configDir, path));
  }
}
