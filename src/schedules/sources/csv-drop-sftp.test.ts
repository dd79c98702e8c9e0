import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  newHostKey,
  startSftpServer,
  type TestSftpServer,
} from '../../../test/support/scheduling/sftp-server.ts';
import { csvDropKind } from './csv-drop.ts';
import { type PullRequest, SourceError } from './source.ts';

const fixtures = new URL('../../../test/fixtures/schedules/', import.meta.url).pathname;
const context = { zone: 'America/New_York', configDir: '/nonexistent', sourceId: 'drop' };
const request: PullRequest = { from: new Date(0), to: new Date(0), signal: new AbortController().signal };

function fingerprint(privateKey: string): string {
  const key = ssh2.utils.parseKey(privateKey);
  if (key instanceof Error) throw key;
  const blob = (Array.isArray(key) ? key[0] : key).getPublicSSH();
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

describe('CSV drop from an SFTP server (ssh2 server mode)', () => {
  let root: string;
  let server: TestSftpServer;
  let hostKey: string;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'sftp-drop-'));
    hostKey = newHostKey();
    server = await startSftpServer({ root, hostKey, username: 'scheduling', password: 'drop-pw' });
  });
  afterEach(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  function client(pinned: string, password = 'drop-pw') {
    const problems: string[] = [];
    const options = csvDropKind.readOptions(
      {
        settleSeconds: 0,
        sftp: {
          host: '127.0.0.1',
          port: server.port,
          username: 'scheduling',
          password,
          hostKey: pinned,
          path: '/outbound',
        },
      },
      (k, m) => problems.push(`${k}: ${m}`),
    );
    expect(problems).toEqual([]);
    return csvDropKind.create(options!, context);
  }

  it('reads the oldest file over SFTP, then moves it to processed/ on the server once applied', async () => {
    const outbound = join(root, 'outbound');
    mkdirSync(outbound);
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(outbound, 'week-45.csv'));
    writeFileSync(join(outbound, 'week-46.csv.part'), 'assignment,person');
    const drop = client(`256 ${fingerprint(hostKey)} root@drop (ED25519)`);
    const pull = await drop.pull(request);
    expect(pull.mode).toBe('window');
    expect(
      pull.shifts.map((s) => `${s.staff.person} ${(s.end.getTime() - s.start.getTime()) / 3_600_000}h`),
    ).toEqual(['dr-lee 13h', 'dr-park 12h', 'dr-kim 12h', 'dr-park 12h', 'dr-doe 6h', 'dr-evans 6h']);
    expect(readdirSync(outbound).sort()).toEqual(['week-45.csv', 'week-46.csv.part']);
    await drop.applied?.(pull);
    expect(readdirSync(outbound).sort()).toEqual(['processed', 'week-46.csv.part']);
    expect(readdirSync(join(outbound, 'processed'))).toEqual([expect.stringMatching(/Z-week-45\.csv$/)]);
  });

  it('rejects a malformed file on the server with the reason beside it', async () => {
    const outbound = join(root, 'outbound');
    mkdirSync(outbound);
    writeFileSync(join(outbound, 'bad.csv'), 'assignment,person,start,end\nicu,dr-a,2026-11-01 07:00\n');
    const error = await client(fingerprint(hostKey))
      .pull(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/bad\.csv: rejected.*line 2: has 3 fields/);
    const rejected = readdirSync(join(outbound, 'rejected')).sort();
    expect(rejected).toHaveLength(2);
    expect(readFileSync(join(outbound, 'rejected', rejected[1]), 'utf8')).toMatch(/line 2: has 3 fields/);
  });

  it('refuses a server whose host key changed, reading nothing', async () => {
    const outbound = join(root, 'outbound');
    mkdirSync(outbound);
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(outbound, 'week-45.csv'));
    const pinned = fingerprint(hostKey);
    await server.close();
    const impostor = newHostKey();
    server = await startSftpServer({ root, hostKey: impostor, username: 'scheduling', password: 'drop-pw' });
    const error = await client(pinned)
      .pull(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe(
      `sftp://scheduling@127.0.0.1:${server.port}/outbound: refused: the server's host key ${fingerprint(impostor)} is not the pinned ${pinned}`,
    );
    expect((error as SourceError).detail.permanent).toBe(true);
    expect(readdirSync(outbound)).toEqual(['week-45.csv']);
  });

  it('fails, changing nothing, when the server is down', async () => {
    const pinned = fingerprint(hostKey);
    await server.close();
    const error = await client(pinned)
      .pull(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/cannot connect: .*ECONNREFUSED/);
    server = await startSftpServer({ root, hostKey, username: 'scheduling', password: 'drop-pw' });
  });

  it('says when the server refuses the login', async () => {
    const error = await client(fingerprint(hostKey), 'wrong')
      .pull(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/the server refused the login/);
    expect((error as SourceError).message).not.toContain('wrong');
  });
});
