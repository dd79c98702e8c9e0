/**
 * A drop folder on an SFTP server (ssh2-sftp-client over ssh2). The server's host key is pinned in config
 * as its SHA-256 fingerprint, as `ssh-keygen -lf` prints it ('SHA256:q5X…'); a server showing any other
 * key, unknown or changed, is refused before a byte is read, since a schedule from an impostor would page
 * the wrong people. One connection per pull, closed after the file is moved aside.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import type { AsideFolder, DropFolder, DroppedFile } from './drop-folder.ts';
import { SourceError } from './source.ts';

export interface SftpDropOptions {
  host: string;
  /** @defaultValue 22 */
  port: number;
  username: string;
  password?: string;
  /** A private key in OpenSSH or PEM form (the text, from the environment). */
  privateKey?: string;
  /** The pinned fingerprint, 'SHA256:' and 43 base64 characters. */
  hostKey: string;
  /** The folder on the server. @defaultValue '.' */
  path: string;
  /** @defaultValue 20 */
  timeoutSeconds: number;
}

const fingerprintPattern = /SHA256:([A-Za-z0-9+/]{43})=?/;

/** The fingerprint in a configured value, or undefined when there is none. */
export function pinnedFingerprint(configured: string): string | undefined {
  const m = fingerprintPattern.exec(configured);
  return m ? `SHA256:${m[1]}` : undefined;
}

/** OpenSSH's SHA-256 fingerprint of a host key as the server sends it. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export class SftpDropFolder implements DropFolder {
  readonly description: string;
  private client: SftpClient | undefined;

  constructor(private readonly options: SftpDropOptions) {
    this.description = `sftp://${options.username}@${options.host}:${options.port}/${options.path.replace(/^\//, '')}`;
  }

  async list(): Promise<DroppedFile[]> {
    const client = await this.connected();
    const entries = await this.attempt('listing', () => client.list(this.options.path));
    return entries
      .filter((e) => e.type === '-')
      .map((e) => ({ name: e.name, size: e.size, modifiedMs: e.modifyTime }));
  }

  async read(name: string): Promise<Buffer> {
    const client = await this.connected();
    const data = await this.attempt(`reading ${name}`, () => client.get(this.at(name)));
    if (!Buffer.isBuffer(data)) throw new SourceError(`${this.description}: reading ${name} gave no data`);
    return data;
  }

  async moveAside(name: string, into: AsideFolder, asName: string): Promise<void> {
    const client = await this.connected();
    await this.attempt(`moving ${name} into ${into}/`, async () => {
      if (!(await client.exists(this.at(into)))) await client.mkdir(this.at(into), true);
      await client.rename(this.at(name), this.at(posix.join(into, asName)));
    });
  }

  async writeNote(into: AsideFolder, asName: string, text: string): Promise<void> {
    const client = await this.connected();
    await this.attempt(`writing ${into}/${asName}`, async () => {
      if (!(await client.exists(this.at(into)))) await client.mkdir(this.at(into), true);
      await client.put(Buffer.from(text, 'utf8'), this.at(posix.join(into, asName)));
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private at(name: string): string {
    return posix.join(this.options.path, name);
  }

  private async connected(): Promise<SftpClient> {
    if (this.client) return this.client;
    const pinned = pinnedFingerprint(this.options.hostKey);
    let seen: string | undefined;
    // ssh2-sftp-client reports to the console from its global listeners unless given its own.
    const client = new SftpClient('switchboard-schedule-drop', {
      error: () => {},
      end: () => {},
      close: () => {},
    });
    try {
      await client.connect({
        host: this.options.host,
        port: this.options.port,
        username: this.options.username,
        password: this.options.password,
        privateKey: this.options.privateKey,
        readyTimeout: this.options.timeoutSeconds * 1000,
        retries: 0,
        hostVerifier: (key: Buffer) => {
          seen = hostKeyFingerprint(key);
          return seen === pinned;
        },
      } as SftpClient.ConnectOptions);
    } catch (error) {
      await client.end().catch(() => {});
      if (seen && seen !== pinned) {
        throw new SourceError(
          `${this.description}: refused: the server's host key ${seen} is not the pinned ${pinned}`,
          { permanent: true },
        );
      }
      const message = (error as Error).message.replace(/^[\w>-]+: /, '');
      const refused = /authentication/i.test(message);
      throw new SourceError(
        `${this.description}: ${refused ? 'the server refused the login' : 'cannot connect'}: ${message}`,
        {
          ...(refused ? { permanent: true } : {}),
        },
      );
    }
    this.client = client;
    return client;
  }

  private async attempt<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.close();
      throw new SourceError(
        `${this.description}: ${doing} failed: ${(error as Error).message.replace(/^[\w>-]+: /, '')}`,
      );
    }
  }
}
