/**
 * Switchboard with a one-rule hospital for the routing benchmark: every ORU is a critical result for the
 * hospitalist on call (bench.doctor), whose device is a WebSocket the parent opens. The title carries the
 * message's control id so the parent can match each frame to the message that caused it.
 *
 * Forked by bench/routing.ts through launchServer; argument: --data-dir <folder>. Reports the MLLP port as
 * `port` and the HTTP port in `info.http`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../src/kit/passwords.ts';
import { startSwitchboard } from '../../src/main.ts';
import { serveInChild } from '../lib/child-server.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
export const BENCH_PASSWORD = 'bench-password';

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-routing-'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  write(
    'switchboard.yaml',
    'site:\n  name: Bench\n  timezone: America/New_York\nlisteners:\n  mllp:\n    host: 127.0.0.1\n    port: 0\nhttp:\n  host: 127.0.0.1\n  port: 0\nlog:\n  level: silent\n',
  );
  write(
    'directory.yaml',
    'directory:\n  people:\n    - { id: p-doc, name: Bench Doctor, contacts: [ { kind: app, address: bench.doctor } ] }\n',
  );
  write(
    'schedules.yaml',
    "schedules:\n  assignments:\n    - { id: hospitalist, name: Hospitalist, type: oncall }\n  rotations:\n    - { assignment: hospitalist, people: [p-doc], shiftHours: 24, handoff: '07:00', daysBefore: 2, daysAfter: 2 }\n",
  );
  write(
    'accounts.yaml',
    `accounts:\n  - { username: bench.doctor, person: p-doc, role: clinician, passwordHash: '${await hashPassword(BENCH_PASSWORD)}' }\n`,
  );
  mkdirSync(join(dir, 'rules'));
  write(
    'rules/rules.yaml',
    'rules:\n  - id: critical\n    match: { type: ORU }\n    recipients: [ { onCall: hospitalist, order: first } ]\n    priority: urgent\n    title: "{{MSH-10}}"\n',
  );
  const running = await startSwitchboard({ configDir: dir, dataDir, env: {} });
  if (!running.mllp || !running.http) throw new Error('listeners did not start');
  return {
    port: running.mllp.port,
    info: { http: running.http.port },
    async stop() {
      await running.routing.router.drained();
      const alerts = (await running.store.alerts.list({ limit: 1 }))[0]?.id ?? 0;
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
      return { alerts };
    },
  };
});
