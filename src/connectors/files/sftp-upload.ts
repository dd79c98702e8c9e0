/**
 * Uploads a stream to an SFTP file with many WRITE requests in flight, as OpenSSH's sftp and
 * ssh2-sftp-client's fastPut do for a local file. ssh2's write stream waits for each WRITE's status
 * before it sends the next, so a 12 MB file over a channel with 1 ms of latency spent most of its time
 * waiting (measured: 8.9 s against 2.0 s for the sftp command, bench/exports.ts). Memory stays bounded:
 * at most `inFlight` pieces are held at a time, and the source is read only as writes complete.
 */
import type { SFTPWrapper } from 'ssh2';

export interface UploadOptions {
  /** @defaultValue 32 */
  inFlight?: number;
  /** Bytes per WRITE request. @defaultValue 32768 (what every SFTP server accepts) */
  pieceBytes?: number;
  /** @defaultValue 0o640 */
  mode?: number;
}

const call = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));

/** Writes `body` to `path` (created or truncated); resolves with the bytes written once the file is closed. */
export async function uploadStream(
  sftp: SFTPWrapper,
  path: string,
  body: AsyncIterable<Buffer>,
  options: UploadOptions = {},
): Promise<number> {
  const inFlight = options.inFlight ?? 32;
  const piece = options.pieceBytes ?? 32 * 1024;
  const handle = await call<Buffer>((cb) => sftp.open(path, 'w', { mode: options.mode ?? 0o640 }, cb));
  const pending = new Set<Promise<void>>();
  let failed: Error | undefined;
  let position = 0;
  try {
    for await (const chunk of body) {
      for (let off = 0; off < chunk.length && !failed; off += piece) {
        const len = Math.min(piece, chunk.length - off);
        const at = position;
        position += len;
        const write = call<void>((cb) => sftp.write(handle, chunk, off, len, at, (err) => cb(err))).then(
          () => {
            pending.delete(write);
          },
          (err: Error) => {
            pending.delete(write);
            failed ??= err;
          },
        );
        pending.add(write);
        if (pending.size >= inFlight) await Promise.race(pending);
      }
      if (failed) break;
    }
    await Promise.all(pending);
  } finally {
    await call<void>((cb) => sftp.close(handle, (err) => cb(err))).catch((err: Error) => {
      failed ??= err;
    });
  }
  if (failed) throw failed;
  return position;
}
