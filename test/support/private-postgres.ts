import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A PostgreSQL server of a test's own (Debian's binaries, a throwaway data folder, a high loopback port), for
 * tests that stop or crash the server: CI's shared one on 5432 serves every other suite and must stay up.
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export class PrivatePostgres {
  readonly url: string;
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /** Why this machine cannot run one (no binaries, or root without a postgres user), or undefined. */
  static unavailable(): string | undefined {
    if (!binDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
    if (process.getuid?.() === 0 && !userExists('postgres'))
      return 'root, and no postgres user to run initdb as';
    return undefined;
  }

  static start(port: number): PrivatePostgres {
    const bin = binDir() as string;
    const dir = mkdtempSync(join(tmpdir(), 'sb-private-pg-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(dir, uid('postgres'), gid('postgres'));
    const server = new PrivatePostgres(bin, dir, port);
    server.run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    server.ctl('start', '-w');
    return server;
  }

  /**
   * A crash of the server (pg_ctl -m immediate: no checkpoint, recovery from the WAL at start), down for
   * `downMs`, then up again. Asynchronous, so the test's own clients keep working against the outage.
   */
  async crash(downMs: number): Promise<void> {
    await this.ctlAsync('stop', '-w', '-m', 'immediate');
    await new Promise((r) => setTimeout(r, downMs));
    await this.ctlAsync('start', '-w');
  }

  stop(): void {
    try {
      this.ctl('stop', '-w', '-m', 'immediate');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private ctl(action: string, ...flags: string[]): void {
    const [file, args] = this.command('pg_ctl', this.ctlArgs(action, flags));
    execFileSync(file, args, { stdio: 'pipe' });
  }

  private async ctlAsync(action: string, ...flags: string[]): Promise<void> {
    const [file, args] = this.command('pg_ctl', this.ctlArgs(action, flags));
    await promisify(execFile)(file, args);
  }

  private ctlArgs(action: string, flags: string[]): string[] {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
    return [action, ...flags, '-D', join(this.dir, 'data'), '-o', options, '-l', join(this.dir, 'log')];
  }

  private run(tool: string, args: string[]): void {
    const [file, all] = this.command(tool, args);
    execFileSync(file, all, { stdio: 'pipe' });
  }

  /** The tool's command line, as the postgres user when we are root. */
  private command(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

function userExists(name: string): boolean {
  try {
    uid(name);
    return true;
  } catch {
    return false;
  }
}

const uid = (name: string) => Number(execFileSync('id', ['-u', name]).toString().trim());
const gid = (name: string) => Number(execFileSync('id', ['-g', name]).toString().trim());
