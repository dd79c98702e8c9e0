/**
 * Switchboard for the messaging benchmark: a nurse (bench.nurse) messages a doctor (bench.doctor), and every
 * ORU is a critical result for the doctor (the alert path, measured beside). The directory also holds
 * 10,000 people and the schedules 500 assignments, so recipient search has a hospital's size to look through.
 *
 * Forked by bench/messaging.ts through launchServer; argument: --data-dir <folder>. Reports the MLLP port as
 * `port` and the HTTP port in `info.http`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../src/kit/passwords.ts';
import { startSwitchboard } from '../../src/main.ts';
import { serveInChild } from '../lib/child-server.ts';
import { BENCH_PASSWORD, hospitalNames } from './names.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });

serveInChild(async () => {
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('--data-dir is required');
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-messaging-'));
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const names = hospitalNames(10_000, 500);
  write(
    'switchboard.yaml',
    'site:\n  name: Bench\n  timezone: America/New_York\nlisteners:\n  mllp:\n    host: 127.0.0.1\n    port: 0\nhttp:\n  host: 127.0.0.1\n  port: 0\nlog:\n  level: silent\n',
  );
  write(
    'directory.yaml',
    `directory:\n  people:\n    - { id: p-doc, name: Bench Doctor, contacts: [ { kind: app, address: bench.doctor } ] }\n    - { id: p-nurse, name: Bench Nurse, contacts: [ { kind: app, address: bench.nurse } ] }\n${names.people
      .map((n, i) => `    - { id: p-${i}, name: '${n}', contacts: [ { kind: app, address: u${i} } ] }`)
      .join('\n')}\n`,
  );
  write(
    'schedules.yaml',
    `schedules:\n  assignments:\n    - { id: hospitalist, name: Hospitalist, type: oncall }\n${names.assignments
      .map((n, i) => `    - { id: a-${i}, name: '${n}', type: oncall }`)
      .join(
        '\n',
      )}\n  rotations:\n    - { assignment: hospitalist, people: [p-doc], shiftHours: 24, handoff: '07:00', daysBefore: 2, daysAfter: 2 }\n${names.assignments
      .map(
        (_n, i) =>
          `    - { assignment: a-${i}, people: [p-${i * 2}, p-${i * 2 + 1}], shiftHours: 12, handoff: '07:00', daysBefore: 1, daysAfter: 1 }`,
      )
      .join('\n')}\n`,
  );
  const hash = await hashPassword(BENCH_PASSWORD);
  write(
    'accounts.yaml',
    `accounts:\n  - { username: bench.doctor, person: p-doc, role: clinician, passwordHash: '${hash}' }\n  - { username: bench.nurse, person: p-nurse, role: clinician, passwordHash: '${hash}' }\n`,
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
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
      return {};
    },
  };
});
