/**
 * An SFTP server in the test process, on ssh2's server mode, serving a real folder on this machine as its
 * root: enough of the protocol (realpath, stat, opendir/readdir, open/read/write/close, rename, mkdir,
 * remove) for a client to list, fetch, move and write files. Password login; the host key is the test's,
 * so a test can restart the server with another key and see the client refuse it.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

export interface TestSftpServer {
  port: number;
  close(): Promise<void>;
}

export function newHostKey(): string {
  return ssh2.utils.generateKeyPairSync('ed25519').private;
}

export async function startSftpServer(options: {
  root: string;
  hostKey: string;
  username: string;
  password: string;
}): Promise<TestSftpServer> {
  const local = (remote: string) => join(options.root, posix.normalize(`/${remote}`));
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [options.hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === options.username && ctx.password === options.password)
        ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const handles = new Map<number, { fd?: number; dir?: string[]; path: string }>();
          let next = 0;
          const handle = (entry: { fd?: number; dir?: string[]; path: string }) => {
            const id = next++;
            handles.set(id, entry);
            const b = Buffer.alloc(4);
            b.writeUInt32BE(id);
            return b;
          };
          const held = (b: Buffer) => (b.length === 4 ? handles.get(b.readUInt32BE(0)) : undefined);
          const attrs = (s: { mode: number; size: number; mtimeMs: number; atimeMs: number }) => ({
            mode: s.mode,
            uid: 0,
            gid: 0,
            size: s.size,
            atime: Math.floor(s.atimeMs / 1000),
            mtime: Math.floor(s.mtimeMs / 1000),
          });
          const guard = (reqid: number, work: () => void) => {
            try {
              work();
            } catch (e) {
              const code = (e as NodeJS.ErrnoException).code;
              sftp.status(
                reqid,
                code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
                String(e),
              );
            }
          };
          sftp.on('REALPATH', (reqid, path) =>
            guard(reqid, () => {
              const p = posix.normalize(`/${path}`);
              sftp.name(reqid, [{ filename: p, longname: p, attrs: attrs(statSync(local(p))) }]);
            }),
          );
          const stat = (reqid: number, path: string) =>
            guard(reqid, () => sftp.attrs(reqid, attrs(statSync(local(path)))));
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('OPENDIR', (reqid, path) =>
            guard(reqid, () => sftp.handle(reqid, handle({ path, dir: readdirSync(local(path)) }))),
          );
          sftp.on('READDIR', (reqid, h) => {
            const entry = held(h);
            if (!entry?.dir) return sftp.status(reqid, STATUS_CODE.FAILURE);
            if (entry.dir.length === 0) return sftp.status(reqid, STATUS_CODE.EOF);
            const names = entry.dir.splice(0).map((name) => {
              const s = statSync(local(posix.join(entry.path, name)));
              const type = s.isDirectory() ? 'd' : '-';
              return {
                filename: name,
                longname: `${type}rw-r--r-- 1 sb sb ${s.size} Jan 1 00:00 ${name}`,
                attrs: attrs(s),
              };
            });
            sftp.name(reqid, names);
          });
          sftp.on('OPEN', (reqid, filename, flags) =>
            guard(reqid, () => {
              const mode = flags & OPEN_MODE.WRITE ? (flags & OPEN_MODE.APPEND ? 'a' : 'w') : 'r';
              sftp.handle(reqid, handle({ path: filename, fd: openSync(local(filename), mode) }));
            }),
          );
          sftp.on('READ', (reqid, h, offset, length) =>
            guard(reqid, () => {
              const entry = held(h);
              if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
              const buf = Buffer.alloc(length);
              const n = readSync(entry.fd, buf, 0, length, Number(offset));
              if (n === 0) sftp.status(reqid, STATUS_CODE.EOF);
              else sftp.data(reqid, buf.subarray(0, n));
            }),
          );
          sftp.on('WRITE', (reqid, h, offset, data) =>
            guard(reqid, () => {
              const entry = held(h);
              if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
              writeSync(entry.fd, data, 0, data.length, Number(offset));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('FSTAT', (reqid, h) =>
            guard(reqid, () => {
              const entry = held(h);
              if (entry?.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
              sftp.attrs(reqid, attrs(fstatSync(entry.fd)));
            }),
          );
          sftp.on('CLOSE', (reqid, h) => {
            const entry = held(h);
            if (entry?.fd !== undefined) closeSync(entry.fd);
            handles.delete(h.readUInt32BE(0));
            sftp.status(reqid, STATUS_CODE.OK);
          });
          sftp.on('RENAME', (reqid, from, to) =>
            guard(reqid, () => {
              renameSync(local(from), local(to));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('MKDIR', (reqid, path) =>
            guard(reqid, () => {
              mkdirSync(local(path));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('REMOVE', (reqid, path) =>
            guard(reqid, () => {
              rmSync(local(path));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const client of clients) client.end();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
