/**
 * File delivery over SFTP against a real server (OpenSSH sshd, chrooted sftp-only user; ssh2's server mode
 * where sshd cannot run): the file arrives whole under its name and never as a partial one, the pinned host
 * key is required, and a server that refuses writes or is full fails with its reason, to be retried.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileDeliveryError } from '../../src/connectors/files/file-target.ts';
import { SftpTarget } from '../../src/connectors/files/sftp.ts';
import { type SftpTestServer, startSftpServer } from '../support/sftp/sshd.ts';

let server: SftpTestServer;

beforeAll(async () => {
  server = await startSftpServer((line) => console.log(`[sftp-delivery] ${line}`));
  console.log(`[sftp-delivery] SFTP server: ${server.kind} on port ${server.port}`);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

const target = (hostKey = server.hostKey) =>
  new SftpTarget({
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: server.privateKey,
    hostKey,
    folder: server.remoteFolder,
  });

async function* lines(n: number, tag: string): AsyncGenerator<Buffer> {
  for (let i = 0; i < n; i++) yield Buffer.from(`${tag},${i}\r\n`);
}

describe('SFTP delivery', () => {
  it('writes the file as name.part, renames it, and replaces an older file of that name', async () => {
    const first = await target().put('oncall.csv', lines(2000, 'a'));
    expect(first.bytes).toBeGreaterThan(10_000);
    const second = await target().put('oncall.csv', lines(3, 'b'));
    expect(second.location).toContain('/upload/oncall.csv');
    expect(await readFile(join(server.localFolder, 'oncall.csv'), 'utf8')).toBe('b,0\r\nb,1\r\nb,2\r\n');
    expect((await readdir(server.localFolder)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('refuses a server whose host key is not the pinned one, permanently, naming both keys', async () => {
    const pinned = server.hostKey;
    await server.changeHostKey();
    const err = await target(pinned)
      .put('refused.csv', lines(1, 'x'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(FileDeliveryError);
    expect(err.permanent).toBe(true);
    expect(err.message).toMatch(/host key SHA256:\S+ is not the pinned SHA256:/);
    expect(await readdir(server.localFolder)).not.toContain('refused.csv');
    // The new key, once pinned by the site, is accepted.
    await target(server.hostKey).put('accepted.csv', lines(1, 'y'));
  });

  it('reads the file only a bounded way ahead while connecting, and stops reading it when refused', async () => {
    let pulled = 0;
    let closed = false;
    async function* big(): AsyncGenerator<Buffer> {
      try {
        for (let i = 0; i < 10_000; i++) {
          pulled++;
          yield Buffer.alloc(64 * 1024, 120);
        }
      } finally {
        closed = true;
      }
    }
    const err = await target(`SHA256:${'A'.repeat(43)}`)
      .put('never.csv', big())
      .catch((e) => e);
    expect(err).toBeInstanceOf(FileDeliveryError);
    expect(err.permanent).toBe(true);
    expect(pulled).toBeGreaterThan(0); // the file was being made while the handshake went on
    expect(pulled).toBeLessThanOrEqual(40); // ... a bounded way ahead, never the whole 640 MB
    expect(closed).toBe(true);
  });

  it('fails with the reason when the file cannot be made, even while still connecting', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,1\r\n');
      throw new Error('the schedule store is closed');
    }
    const err = await target()
      .put('broken.csv', broken())
      .catch((e) => e);
    expect(err).toBeInstanceOf(FileDeliveryError);
    expect(err.message).toMatch(/broken\.csv to 127\.0\.0\.1:\d+: the schedule store is closed/);
    expect((await readdir(server.localFolder)).filter((f) => f.startsWith('broken'))).toEqual([]);
  });

  it('reports permission denied as a failure worth retrying, and leaves no file behind', async () => {
    await server.denyWrites(true);
    try {
      const err = await target()
        .put('denied.csv', lines(5, 'd'))
        .catch((e) => e);
      expect(err).toBeInstanceOf(FileDeliveryError);
      expect(err.permanent).toBe(false);
      expect(err.message).toMatch(/permission denied/i);
    } finally {
      await server.denyWrites(false);
    }
    expect(await readdir(server.localFolder)).not.toContain('denied.csv');
  });

  it('reports a full disk on the server with its answer, and the file is not there', async () => {
    await server.fillDiskFor('full.csv');
    const err = await target()
      .put('full.csv', lines(5000, 'f'))
      .catch((e) => e);
    expect(err).toBeInstanceOf(FileDeliveryError);
    expect(err.permanent).toBe(false);
    expect(err.message).toMatch(/full\.csv to 127\.0\.0\.1:\d+: .*(Failure|No space)/);
    expect(await readdir(server.localFolder)).not.toContain('full.csv');
  });
});
