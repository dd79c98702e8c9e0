/**
 * The fallback SFTP server where sshd cannot run (not root, no openssh-server): ssh2's server mode over a
 * temporary folder, speaking the requests ssh2-sftp-client makes for an upload (REALPATH, STAT, OPEN,
 * WRITE, CLOSE, RENAME, posix-rename, REMOVE). Public key login only, like the sshd set-up.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { SftpTestServer } from './sshd.ts';

const { Server, utils } = ssh2;
const STATUS = utils.sftp.STATUS_CODE;
const OPEN = utils.sftp.OPEN_MODE;

export async function startSsh2Server(): Promise<SftpTestServer> {
  const root = mkdtempSync(join(tmpdir(), 'sb-sftp-'));
  const client = utils.generateKeyPairSync('ed25519');
  const clientKey = utils.parseKey(client.public);
  if (clientKey instanceof Error) throw clientKey;
  let hostKey = utils.generateKeyPairSync('ed25519');
  let deny = false;
  const fullFor = new Set<string>();
  const local = (p: string) => join(root, p.replace(/^\/?(upload\/?)?/, ''));
  const fingerprint = () => {
    const k = utils.parseKey(hostKey.public);
    if (k instanceof Error) throw k;
    return `256 SHA256:${createHash('sha256').update(k.getPublicSSH()).digest('base64').replace(/=+$/, '')} (ED25519)`;
  };
  const user = `sbx${randomBytes(3).toString('hex')}`;
  let server: InstanceType<typeof Server>;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = new Server({ hostKeys: [hostKey.private] }, (conn) => {
        conn.on('authentication', (ctx) => {
          if (
            ctx.method === 'publickey' &&
            ctx.username === user &&
            ctx.key.data.equals(clientKey.getPublicSSH())
          ) {
            if (!ctx.signature) return ctx.accept();
            if (clientKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
          }
          ctx.reject(['publickey']);
        });
        conn.on('ready', () => {
          conn.on('session', (accept) => {
            accept().on('sftp', (acceptSftp) => serve(acceptSftp()));
          });
        });
        conn.on('error', () => {});
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const handles = new Map<number, { fd: number; name: string }>();
  let next = 0;
  const serve = (sftp: ssh2.SFTPWrapper) => {
    sftp.on('REALPATH', (id, p) =>
      sftp.name(id, [{ filename: p === '.' ? '/upload' : p, longname: p, attrs: {} as ssh2.Attributes }]),
    );
    const stat = (id: number, p: string) => {
      try {
        const s = statSync(local(p));
        sftp.attrs(id, { mode: s.mode, uid: 0, gid: 0, size: s.size, atime: 0, mtime: 0 });
      } catch {
        sftp.status(id, STATUS.NO_SUCH_FILE);
      }
    };
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on('OPEN', (id, p, flags) => {
      const name = p.split('/').pop() ?? p;
      if (deny) return sftp.status(id, STATUS.PERMISSION_DENIED, 'Permission denied');
      const mode =
        flags & OPEN.WRITE ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : constants.O_RDONLY;
      try {
        const fd = openSync(local(p), mode, 0o644);
        const h = next++;
        handles.set(h, { fd, name });
        const b = Buffer.alloc(4);
        b.writeUInt32BE(h);
        sftp.handle(id, b);
      } catch {
        sftp.status(id, STATUS.NO_SUCH_FILE);
      }
    });
    sftp.on('WRITE', (id, handle, _offset, data) => {
      const h = handles.get(handle.readUInt32BE(0));
      if (!h) return sftp.status(id, STATUS.FAILURE);
      if (fullFor.has(h.name.replace(/\.part$/, '')))
        return sftp.status(id, STATUS.FAILURE, 'No space left on device');
      writeSync(h.fd, data, 0, data.length, _offset);
      sftp.status(id, STATUS.OK);
    });
    sftp.on('CLOSE', (id, handle) => {
      const h = handles.get(handle.readUInt32BE(0));
      if (h) closeSync(h.fd);
      handles.delete(handle.readUInt32BE(0));
      sftp.status(id, STATUS.OK);
    });
    const rename = (id: number, from: string, to: string) => {
      try {
        renameSync(local(from), local(to));
        sftp.status(id, STATUS.OK);
      } catch {
        sftp.status(id, STATUS.FAILURE);
      }
    };
    sftp.on('RENAME', rename);
    sftp.on('EXTENDED', (id, name, data) => {
      if (name !== 'posix-rename@openssh.com') return sftp.status(id, STATUS.OP_UNSUPPORTED);
      const a = data.readUInt32BE(0);
      const from = data.subarray(4, 4 + a).toString();
      const b = data.readUInt32BE(4 + a);
      rename(id, from, data.subarray(8 + a, 8 + a + b).toString());
    });
    sftp.on('REMOVE', (id, p) => {
      try {
        unlinkSync(local(p));
        sftp.status(id, STATUS.OK);
      } catch {
        sftp.status(id, STATUS.NO_SUCH_FILE);
      }
    });
  };
  await listen();
  return {
    kind: 'ssh2',
    host: '127.0.0.1',
    get port() {
      return port;
    },
    username: user,
    privateKey: client.private,
    get hostKey() {
      return fingerprint();
    },
    remoteFolder: '/upload',
    localFolder: root,
    async denyWrites(d) {
      deny = d;
    },
    async fillDiskFor(name) {
      fullFor.add(name);
    },
    async changeHostKey() {
      await new Promise((r) => server.close(r));
      hostKey = utils.generateKeyPairSync('ed25519');
      await listen();
    },
    async stop() {
      await new Promise((r) => server.close(r));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
