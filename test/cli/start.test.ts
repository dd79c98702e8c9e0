import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestSwitchboard, writeTestConfig } from '../support/harness.ts';

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
