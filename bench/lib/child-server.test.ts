import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../mllp/load.ts';
import { admissionTemplate } from '../mllp/messages.ts';
import { launchServer } from './child-server.ts';

const server = (name: string) => fileURLToPath(new URL(`../mllp/servers/${name}.ts`, import.meta.url));

describe('launchServer', () => {
  it('starts a server in a child process, reports its port, and stops it with a report', async () => {
    const child = await launchServer(server('memory-ack'));
    expect(child.port).toBeGreaterThan(0);
    expect(child.pid).not.toBe(process.pid);
    child.mark();
    const result = await runLoad({
      host: '127.0.0.1',
      port: child.port,
      messages: 100,
      connections: 2,
      templates: [admissionTemplate()],
    });
    expect(result).toMatchObject({ accepted: 100, errors: 0 });
    const report = await child.stop();
    expect(report.info).toEqual({ received: 100 });
    expect(report.userCpuMs).toBeGreaterThanOrEqual(0);
    expect(report.wallMs).toBeGreaterThan(0);
    // The event loop's share: it served 100 messages, within the window.
    expect(report.mainThread?.busyMs).toBeGreaterThan(0);
    expect(report.mainThread?.busyMs).toBeLessThanOrEqual(report.wallMs + 1);
    if (process.platform === 'linux') expect(report.mainThread?.onCpuMs).toBeGreaterThan(0);
  });

  it('rejects with the child’s own reason when it cannot start', async () => {
    // The SQLite baseline needs --data-dir; without it the child reports the failure and exits.
    await expect(launchServer(server('sqlite-commit'))).rejects.toThrow(
      /failed to start: .*--data-dir is required/,
    );
  });
});
