/**
 * Running SIPp (Debian sip-tester) as a real peer of the gateway in tests and benchmarks: each peer on its
 * own loopback address, scenarios from test/fixtures/sip/scenarios.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP = '/usr/bin/sipp';
export const sippAvailable = existsSync(SIPP);
export const scenarios = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sip', 'scenarios');

export async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface SippRun {
  child: ChildProcess;
  /** Exit code (0: every call succeeded) and the tail of its output. */
  done: Promise<{ code: number; output: string }>;
}

/** Starts sipp with a scenario file; `-nostdin`, a global timeout and a work folder of its own. */
export function sipp(scenario: string, args: string[], timeoutSeconds = 60): SippRun {
  const cwd = mkdtempSync(join(tmpdir(), 'sb-sipp-'));
  const child = spawn(
    SIPP,
    ['-sf', join(scenarios, scenario), '-nostdin', '-timeout', String(timeoutSeconds), '-trace_err', ...args],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  // sipp's own -timeout does not always fire on a loaded machine: never leave one behind.
  const guard = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 10) * 1000);
  const done = new Promise<{ code: number; output: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(guard);
      let errors = '';
      try {
        for (const f of readdirSync(cwd))
          if (f.endsWith('_errors.log')) errors += readFileSync(join(cwd, f), 'utf8');
      } catch {}
      resolve({ code: code ?? -1, output: `${output}\n${errors.slice(-6000)}` });
    });
  });
  return { child, done };
}

/** A `-inf` file of `user;password` lines for [field0]/[field1]. */
export function injectionFile(rows: string[][]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-sipp-inf-')), 'users.csv');
  writeFileSync(file, `SEQUENTIAL\n${rows.map((r) => r.join(';')).join('\n')}\n`);
  return file;
}

/** Gives a background UAS a moment to bind before anyone calls it. */
export const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
