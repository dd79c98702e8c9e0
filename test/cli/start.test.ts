import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signIn, startTestSwitchboard, writeTestAccounts, writeTestConfig } from '../support/harness.ts';

const cli = new URL('../../bin/switchboard.js', import.meta.url).pathname;

describe('switchboard start', () => {
  it('refuses, in one line and with exit code 75, a data folder another Switchboard is running on', async () => {
    const configDir = writeTestConfig();
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-start-'));
    const running = await startTestSwitchboard({ configDir, dataDir });
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [cli, 'start', '--config', configDir, '--data', dataDir], {
          timeout: 30_000,
        });
        let stderr = '';
        child.stderr?.on('data', (d) => {
          stderr += d;
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(75);
      expect(result.stderr.trim().split('\n')).toEqual([
        `switchboard: the data folder ${dataDir} is in use by another running Switchboard (stop it, or give this one its own --data folder)`,
      ]);
    } finally {
      await running.cleanup();
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});

describe('the environment variables the README documents', () => {
  it('sessions need no signing key, SWITCHBOARD_SESSION_SECRET is still accepted, and overrides such as SWITCHBOARD_LOG_LEVEL still apply', async () => {
    const configDir = writeTestConfig();
    await writeTestAccounts(configDir, [{ username: 'analyst', role: 'analyst' }]);
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-env-'));
    const child = spawn(process.execPath, [cli, 'start', '--config', configDir, '--data', dataDir], {
      env: {
        ...process.env,
        SWITCHBOARD_SESSION_SECRET: 'a-secret-from-the-vault',
        SWITCHBOARD_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => {
          out += d;
          const ready = /"port":(\d+)[^\n]*"msg":"HTTP ready"/.exec(out);
          if (ready) resolve(Number(ready[1]));
        });
        child.stderr.on('data', (d) => {
          err += d;
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
      const token = await signIn(base, 'analyst');
      // Sessions are server-side (a random token kept as its hash): no key is made in the data folder.
      expect(existsSync(join(dataDir, 'session.key'))).toBe(false);
      const inbox = await fetch(`${base}/api/messages`, { headers: { authorization: `Bearer ${token}` } });
      expect(inbox.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(configDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a mistyped option', () => {
  it('names the option and prints the usage, exit 2, with no stack trace', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [cli, 'send-hl7', '--help'], (err, _out, stderr) =>
        resolve({ code: err ? (child.exitCode ?? 1) : 0, stderr }),
      );
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Unknown option '--help'\n\nswitchboard — clinical message router/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('oncall', () => {
  it("gives each on-call shift's hours on the site's clock, not as UTC instants", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-cli-oncall-'));
    const configDir = new URL('../../config', import.meta.url).pathname;
    // The demo rotation is made around today: today at 03:00 UTC, 22:00 or 23:00 the evening before in New
    // York, is within the night hospitalist's shift whatever the date.
    const at = `${new Date().toISOString().slice(0, 10)}T03:00:00Z`;
    try {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [cli, 'oncall', 'hospitalist', '--config', configDir, '--data', dataDir, '--at', at],
          (err, stdout) => (err ? reject(err) : resolve(stdout)),
        );
      });
      expect(out).toMatch(/^hospitalist — Hospitalist on call\n {3}1\. .+ {2}19:00–07:00\n/);
      expect(out).not.toMatch(/\d{4}-\d\d-\d\dT/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
