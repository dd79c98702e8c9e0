/**
 * Where dropped files are picked up, shared by the CSV drop source and the demographic import: a folder
 * on this machine or on an SFTP server, the name pattern, and how long a file must sit unmodified before
 * it is taken (a file still being copied in is left alone). Files are taken oldest first, one at a time.
 */
import { isAbsolute, join } from 'node:path';
import { asideName, type DropFolder, type DroppedFile, LocalDropFolder, namePattern } from './drop-folder.ts';
import { pinnedFingerprint, SftpDropFolder, type SftpDropOptions } from './sftp-drop-folder.ts';
import type { SourceOptions } from './source-options.ts';

export interface DropLocation {
  /** A folder on this machine (relative to the config folder), or `sftp`. */
  folder?: string;
  sftp?: SftpDropOptions;
  /** @defaultValue '*.csv' */
  files: string;
  /** A file modified less than this long ago may still be being written. @defaultValue 30 */
  settleSeconds: number;
}

export const dropLocationKeys = ['folder', 'sftp', 'files', 'settleSeconds'];

/** Reads folder or sftp, files and settleSeconds from `o`, reporting every problem. */
export function readDropLocation(o: SourceOptions): DropLocation | undefined {
  const folder = o.text('folder', false);
  const sftp = readSftpDrop(o);
  if ((folder === undefined) === (sftp === undefined) && !o.failed) {
    o.report('folder', 'give either folder (on this machine) or sftp (on a server), not both or neither');
  }
  const files = o.text('files', false, '*.csv');
  const settleSeconds = o.whole('settleSeconds', 0, 86_400, 30);
  if (folder === undefined && sftp === undefined) return undefined;
  return { ...(folder ? { folder } : {}), ...(sftp ? { sftp } : {}), files, settleSeconds };
}

function readSftpDrop(o: SourceOptions): SftpDropOptions | undefined {
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

/** The folder to read, opened (an SFTP connection is made on first use; close it when done). */
export function openDropFolder(location: DropLocation, configDir: string): DropFolder {
  if (location.sftp) return new SftpDropFolder(location.sftp);
  const path = location.folder ?? '.';
  return new LocalDropFolder(isAbsolute(path) ? path : join(configDir, path));
}

/** The oldest file matching the pattern that has settled by `now`, or undefined when none is waiting. */
export async function oldestSettledFile(
  folder: DropFolder,
  location: DropLocation,
  now: number,
): Promise<DroppedFile | undefined> {
  const pattern = namePattern(location.files);
  const settledBefore = now - location.settleSeconds * 1000;
  // Modification times carry fractions of a millisecond; a file written this millisecond has settled at 0 s.
  return (await folder.list())
    .filter((f) => pattern.test(f.name) && Math.floor(f.modifiedMs) <= settledBefore)
    .sort((a, b) => a.modifiedMs - b.modifiedMs || a.name.localeCompare(b.name))[0];
}

/** Moves a file that does not read into rejected/, with `<name>.reason.txt` listing its problems. */
export async function rejectFile(
  folder: DropFolder,
  name: string,
  at: Date,
  problems: readonly string[],
): Promise<string> {
  const aside = asideName(name, at);
  await folder.moveAside(name, 'rejected', aside);
  await folder.writeNote(
    'rejected',
    `${aside}.reason.txt`,
    `${name} from ${folder.description} was rejected (${at.toISOString()}):\n${problems.join('\n')}\n`,
  );
  return aside;
}
