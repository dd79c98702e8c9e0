/**
 * An SFTP server as the target (ssh2-sftp-client over ssh2). One connection per file: exports run every
 * few minutes at most, and a fresh connection is never left half-dead between runs.
 *
 * - The host key must match the pinned fingerprint (host-key.ts); anything else is refused before a
 *   byte of the schedule is sent, and the delivery is dead-lettered with both fingerprints in the reason.
 * - A key or a password comes from the environment (the connector's config names `${ENV}` references).
 * - The file is streamed to `<name>.part`, then renamed with OpenSSH's posix-rename (which replaces an
 *   older file of the same name in one step); a server without it gets remove-then-rename.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { counted, type FileDelivered, FileDeliveryError, type FileTarget } from './file-target.ts';
import { fingerprintOf, pinnedFingerprint } from './host-key.ts';
import { uploadStream } from './sftp-upload.ts';

export interface SftpTargetOptions {
  host: string;
  /** @defaultValue 22 */
  port?: number;
  username: string;
  password?: string;
  /** A private key in OpenSSH or PEM form (the text, from the environment). */
  privateKey?: string;
  passphrase?: string;
  /** The pinned fingerprint(s), as `ssh-keygen -lf` prints them. Required: no key is ever trusted blind. */
  hostKey: string | string[];
  /** The folder on the server. @defaultValue '.' (the login's home) */
  folder?: string;
  /** @defaultValue 20000 */
  connectTimeoutMs?: number;
}

/**
 * Chunks of the file made ready while the connection is being set up (about 2 MiB of a CSV's 64 KiB
 * chunks): the SSH handshake and login took 100 ms of a 12.7 MB export's 780, during which the schedule
 * could already be read and written out.
 */
const READ_AHEAD_CHUNKS = 32;

export class SftpTarget implements FileTarget {
  readonly description: string;
  private readonly pinned: string[];

  constructor(private readonly options: SftpTargetOptions) {
    const configured = Array.isArray(options.hostKey) ? options.hostKey : [options.hostKey];
    this.pinned = configured.map((k) => pinnedFingerprint(k)).filter((k): k is string => k !== undefined);
    if (this.pinned.length === 0)
      throw new Error('hostKey: no SHA256 fingerprint given (ssh-keygen -lf prints it)');
    if (!options.password && !options.privateKey) throw new Error('either password or privateKey is needed');
    this.description = `sftp://${options.username}@${options.host}:${options.port ?? 22}/${(options.folder ?? '.').replace(/^\//, '')}`;
  }

  async put(name: string, body: AsyncIterable<Buffer>): Promise<FileDelivered> {
    const folder = this.options.folder ?? '.';
    const final = posix.join(folder, name);
    const part = `${final}.part`;
    const total = { bytes: 0 };
    let seenKey: string | undefined;
    // ssh2-sftp-client logs to the console from its global listeners unless given its own.
    const quiet = { error: () => {}, end: () => {}, close: () => {} };
    const client = new SftpClient('switchboard-export', quiet);
    let connected = false;
    const ahead = Readable.from(counted(body, total), { highWaterMark: READ_AHEAD_CHUNKS });
    // A failure of the source is thrown where the upload reads it; until then it waits in the stream.
    ahead.on('error', () => {});
    ahead.read(0);
    try {
      await client.connect({
        host: this.options.host,
        port: this.options.port ?? 22,
        username: this.options.username,
        password: this.options.password,
        privateKey: this.options.privateKey,
        passphrase: this.options.passphrase,
        readyTimeout: this.options.connectTimeoutMs ?? 20_000,
        retries: 0,
        hostVerifier: (key: Buffer) => {
          seenKey = fingerprintOf(key);
          return this.pinned.includes(seenKey);
        },
      } as SftpClient.ConnectOptions);
      connected = true;
      // Not client.put: it resolves on the stream's close even after a failed write (a full disk gave a
      // short file reported as sent), and it waits for each WRITE before the next (sftp-upload.ts).
      const sftp = (client as unknown as { sftp: SFTPWrapper }).sftp;
      await uploadStream(sftp, part, ahead);
      const stored = await client.stat(part);
      if (stored.size !== total.bytes) {
        throw new Error(`the server holds ${stored.size} of ${total.bytes} bytes written (Failure)`);
      }
      try {
        await client.posixRename(part, final);
      } catch (e) {
        if (!/not support|unsupported|OP_UNSUPPORTED/i.test((e as Error).message)) throw e;
        if (await client.exists(final)) await client.delete(final);
        await client.rename(part, final);
      }
    } catch (e) {
      if (connected) await client.delete(part, true).catch(() => {});
      throw this.failure(name, e as Error & { code?: unknown }, seenKey, connected);
    } finally {
      // Stops reading the schedule when the upload did not take it all (the source's own finally runs).
      ahead.destroy();
      await client.end().catch(() => {});
    }
    return {
      location: `${this.description.replace(/\/[^/]*$/, '')}/${final.replace(/^\.?\//, '')}`,
      bytes: total.bytes,
    };
  }

  private failure(
    name: string,
    e: Error,
    seenKey: string | undefined,
    connected: boolean,
  ): FileDeliveryError {
    const where = `${name} to ${this.options.host}:${this.options.port ?? 22}`;
    if (!connected && seenKey && !this.pinned.includes(seenKey)) {
      return new FileDeliveryError(
        `${where}: refused: the server's host key ${seenKey} is not the pinned ${this.pinned.join(' or ')}`,
        true,
      );
    }
    const message = e.message.replace(/^[\w>-]+: /, '');
    if (!connected && /authentication methods failed|authentication failed/i.test(message)) {
      return new FileDeliveryError(
        `${where}: the server refused the login of ${this.options.username}`,
        true,
      );
    }
    if (/permission denied/i.test(message))
      return new FileDeliveryError(`${where}: permission denied (${message})`, false);
    if (/no space|quota|disk full|ENOSPC/i.test(message))
      return new FileDeliveryError(`${where}: the server's disk is full (${message})`, false);
    return new FileDeliveryError(`${where}: ${message}`, false);
  }
}
