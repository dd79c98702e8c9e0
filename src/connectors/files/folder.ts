/**
 * A folder as the target: a share the receiving system reads, or a local drop that another job copies on.
 * Written as `<name>.part`, flushed to the disk, then renamed over any older file of the same name.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { counted, type FileDelivered, FileDeliveryError, type FileTarget } from './file-target.ts';

export class FolderTarget implements FileTarget {
  readonly description: string;

  constructor(private readonly folder: string) {
    this.description = `folder ${folder}`;
  }

  async put(name: string, body: AsyncIterable<Buffer>): Promise<FileDelivered> {
    const final = join(this.folder, name);
    const part = `${final}.part`;
    const total = { bytes: 0 };
    try {
      await mkdir(this.folder, { recursive: true });
      await pipeline(Readable.from(counted(body, total)), createWriteStream(part, { mode: 0o640 }));
      // The data on the disk before the name: a crash after the rename never leaves a short file.
      const handle = await open(part, 'r');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(part, final);
    } catch (e) {
      await rm(part, { force: true }).catch(() => {});
      const err = e as NodeJS.ErrnoException;
      throw new FileDeliveryError(`${name} to ${this.folder}: ${reason(err)}`, false);
    }
    return { location: final, bytes: total.bytes };
  }
}

function reason(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOSPC') return 'the disk is full';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  return err.message;
}
