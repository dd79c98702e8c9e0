/**
 * A real SFTP server for the export tests: Debian's OpenSSH sshd on a free loopback port, with its own
 * host key in a temporary folder, `internal-sftp` and an sftp-only user chrooted to a folder under /srv
 * (sshd refuses a chroot under the world-writable /tmp). Needs root (useradd, chroot); where sshd is
 * missing or we are not root, startSftpServer falls back to ssh2's server mode (ssh2-server.ts) and says so.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSsh2Server } from './ssh2-server.ts';

export interface SftpTestServer {
  kind: 'openssh' | 'ssh2';
  host: string;
  port: number;
  username: string;
  /** The client's private key (OpenSSH format). */
  privateKey: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it. */
  hostKey: string;
  /** The folder the login writes to, as the server names it. */
  remoteFolder: string;
  /** Where that folder is on this machine. */
  localFolder: string;
  /** The login may no longer write in its folder (a changed permission on the server). */
  denyWrites(deny: boolean): Promise<void>;
  /** The next file named `name` fills the server's disk (writes fail as on a full disk). */
  fillDiskFor(name: string): Promise<void>;
  /** Restarts with a new host key (a replaced server, or someone in between). */
  changeHostKey(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function fingerprintOfKeyFile(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).trim();
}

/** sshd when it can run here, else ssh2's server mode; `note` says which and why. */
export async function startSftpServer(note: (line: string) => void = console.log): Promise<SftpTestServer> {
  const why = opensshUnavailable();
  if (!why) {
    try {
      return await startOpenSsh();
    } catch (e) {
      note(`sshd could not start (${(e as Error).message}); using ssh2's server mode instead`);
      return startSsh2Server();
    }
  }
  note(`${why}: using ssh2's server mode instead of OpenSSH sshd`);
  return startSsh2Server();
}

function opensshUnavailable(): string | undefined {
  if (process.env.SWITCHBOARD_TEST_SFTP === 'ssh2') return 'SWITCHBOARD_TEST_SFTP=ssh2';
  if (!existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (Debian openssh-server)';
  if (process.getuid?.() !== 0) return 'not root (sshd needs root for an sftp-only chrooted user)';
  return undefined;
}

async function startOpenSsh(): Promise<SftpTestServer> {
  const tag = randomBytes(4).toString('hex');
  const conf = join(tmpdir(), `sb-sshd-${tag}`);
  const chroot = `/srv/switchboard-sftp-${tag}`;
  const user = `sbx${tag}`;
  await mkdir(conf, { recursive: true, mode: 0o755 });
  await chmod(conf, 0o755); // sshd reads authorized_keys as the user
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  keygen(join(conf, 'client'));
  await writeFile(join(conf, 'authorized_keys'), await readFile(join(conf, 'client.pub')), { mode: 0o644 });
  execFileSync('useradd', [
    '--no-create-home',
    '--home-dir',
    '/upload',
    '--shell',
    '/usr/sbin/nologin',
    user,
  ]);
  execFileSync('usermod', ['-p', '*', user]); // a locked account is refused with UsePAM no
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const upload = join(chroot, 'upload');
  await mkdir(upload, { recursive: true });
  await chmod(chroot, 0o755);
  await chown(upload, uid, 0);
  // /dev/full inside the chroot: a file linked to it fails to write as on a full disk.
  await mkdir(join(chroot, 'dev'));
  execFileSync('mknod', ['-m', '666', join(chroot, 'dev', 'full'), 'c', '1', '7']);
  await mkdir('/run/sshd', { recursive: true });

  let port = 0;
  let child: ReturnType<typeof spawn> | undefined;
  let hostKey = '';
  const start = async () => {
    await rm(join(conf, 'host_ed25519'), { force: true });
    await rm(join(conf, 'host_ed25519.pub'), { force: true });
    keygen(join(conf, 'host_ed25519'));
    hostKey = fingerprintOfKeyFile(join(conf, 'host_ed25519.pub'));
    port ||= await freePort();
    await writeFile(
      join(conf, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(conf, 'host_ed25519')}`,
        `PidFile ${join(conf, 'sshd.pid')}`,
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        `AuthorizedKeysFile ${join(conf, 'authorized_keys')}`,
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        `AllowUsers ${user}`,
        `Match User ${user}`,
        `  ChrootDirectory ${chroot}`,
        '  ForceCommand internal-sftp -d /upload',
        '  AllowTcpForwarding no',
        '  X11Forwarding no',
        '',
      ].join('\n'),
    );
    // -D: stays in the foreground as our child, so it is ours to stop and never outlives the test run.
    child = spawn('/usr/sbin/sshd', ['-D', '-f', join(conf, 'sshd_config'), '-E', join(conf, 'sshd.log')], {
      stdio: 'ignore',
    });
    const running = child;
    // A test process that dies without stop() must not leave its sshd behind.
    process.once('exit', () => running.kill('SIGTERM'));
    await waitForBanner(port, child);
  };
  const stopSshd = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    kind: 'openssh',
    host: '127.0.0.1',
    get port() {
      return port;
    },
    username: user,
    privateKey: await readFile(join(conf, 'client'), 'utf8'),
    get hostKey() {
      return hostKey;
    },
    remoteFolder: '/upload',
    localFolder: upload,
    async denyWrites(deny) {
      await chown(upload, deny ? 0 : uid, 0);
    },
    async fillDiskFor(name) {
      await symlink('/dev/full', join(upload, `${name}.part`));
    },
    async changeHostKey() {
      await stopSshd();
      await start();
    },
    async stop() {
      await stopSshd();
      await withPasswdLock(() => execFileSync('userdel', [user])).catch(() => {});
      await rm(chroot, { recursive: true, force: true });
      await rm(conf, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a user-database command, again while another test file's useradd holds /etc/passwd's lock (test
 * files run in parallel; useradd exits 10 and says "cannot lock /etc/passwd").
 */
async function withPasswdLock(run: () => unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      run();
      return;
    } catch (e) {
      if (attempt >= 50 || !/lock|status 10/i.test(String((e as Error).message))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resolves once the server sends its SSH banner (it is accepting logins). */
async function waitForBanner(port: number, child: { exitCode: number | null }): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('sshd did not answer on its port');
}
