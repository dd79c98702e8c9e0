/**
 * A folder a scheduling office drops schedule files into: on this machine, or on an SFTP server
 * (sftp-drop-folder.ts). A file is taken only once it has settled (not modified for a while), so a file
 * still being copied in is not read half-written; it is moved aside into `processed/` once the engine
 * has applied it, or into `rejected/` with the reason in a note beside it.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DroppedFile {
  name: string;
  size: number;
  modifiedMs: number;
}

export type AsideFolder = 'processed' | 'rejected';

export interface DropFolder {
  /** For messages: '/var/drops/schedules' or 'sftp://user@host:22/outbound'. */
  readonly description: string;
  /** Plain files directly in the folder (not the aside folders), in no particular order. */
  list(): Promise<DroppedFile[]>;
  read(name: string): Promise<Buffer>;
  /** Moves `name` into the aside folder under `asName`, creating the folder when needed. */
  moveAside(name: string, into: AsideFolder, asName: string): Promise<void>;
  /** Writes a note (why a file was rejected) into the aside folder. */
  writeNote(into: AsideFolder, asName: string, text: string): Promise<void>;
  /** Releases a connection, where there is one. */
  close(): Promise<void>;
}

export class LocalDropFolder implements DropFolder {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = path;
  }

  async list(): Promise<DroppedFile[]> {
    const entries = await readdir(this.path, { withFileTypes: true });
    const files: DroppedFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const s = await stat(join(this.path, entry.name)).catch(() => undefined);
      if (s) files.push({ name: entry.name, size: s.size, modifiedMs: s.mtimeMs });
    }
    return files;
  }

  read(name: string): Promise<Buffer> {
    return readFile(join(this.path, name));
  }

  async moveAside(name: string, into: AsideFolder, asName: string): Promise<void> {
    await mkdir(join(this.path, into), { recursive: true });
    await rename(join(this.path, name), join(this.path, into, asName));
  }

  async writeNote(into: AsideFolder, asName: string, text: string): Promise<void> {
    await mkdir(join(this.path, into), { recursive: true });
    await writeFile(join(this.path, into, asName), text);
  }

  async close(): Promise<void> {}
}

/** A file name pattern with * and ? (e.g. 'oncall-*.csv'), matched against the whole name. */
export function namePattern(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * The name a file gets in an aside folder: the UTC time it was moved (to the millisecond, so two files of
 * one name moved in the same second do not meet), then its own name.
 */
export function asideName(name: string, at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '')}-${name}`;
}
