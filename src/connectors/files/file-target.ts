/**
 * Where an export's files go: an SFTP server (sftp.ts) or a folder (folder.ts). Either way a file is
 * written under `<name>.part` and renamed once complete, so the receiving system's import job, which picks
 * up every file matching its pattern, never reads half a file.
 */

export interface FileDelivered {
  /** Where the file now is, as the target names it ('sftp://host:22/upload/x.csv', '/srv/exports/x.csv'). */
  location: string;
  bytes: number;
}

export interface FileTarget {
  /** The target in words, for the delivery log (never a secret). */
  readonly description: string;
  /** Writes one complete file from `body`, read as it is written (never held whole in memory). */
  put(name: string, body: AsyncIterable<Buffer>): Promise<FileDelivered>;
}

/**
 * A delivery that failed, with the reason in words for the dead letter. `permanent` when trying again
 * cannot help until someone changes something (the server's host key is not the pinned one, the login is
 * refused); permission and full-disk errors are retried, since an administrator may fix them meanwhile.
 */
export class FileDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'FileDeliveryError';
  }
}

/** Counts what passes through, so the log can say how large the file was. */
export async function* counted(
  body: AsyncIterable<Buffer>,
  total: { bytes: number },
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    total.bytes += chunk.length;
    yield chunk;
  }
}
