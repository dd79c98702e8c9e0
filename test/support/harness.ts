import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { hashPassword } from '../../src/kit/passwords.ts';
import { type RunningSwitchboard, startSwitchboard } from '../../src/main.ts';
import type { Clock } from '../../src/routing/clock.ts';
import {
  createTestSchema,
  dropTestSchema,
  postgresStoreEnv,
  testStoreIsPostgres,
} from './postgres-schema.ts';

export interface TestSwitchboard extends RunningSwitchboard {
  configDir: string;
  dataDir: string;
  mllpPort: number;
  httpUrl: string;
  /** Every message acknowledged so far is in the store and routed (MLLP stores the row just after the ACK). */
  settled(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Password of every test account (hash computed once; scrypt is deliberately slow). */
export const TEST_PASSWORD = 'test-password';
const testHash = hashPassword(TEST_PASSWORD);

/** Site config for tests: every listener on 127.0.0.1 and port 0. Extra YAML files may be added. */
export async function writeTestAccounts(
  dir: string,
  accounts: Array<{ username: string; role: string; person?: string }>,
) {
  const hash = await testHash;
  const lines = accounts.map(
    (a) =>
      `  - { username: ${a.username}, role: ${a.role}${a.person ? `, person: ${a.person}` : ''}, passwordHash: '${hash}' }`,
  );
  writeFileSync(join(dir, 'accounts.yaml'), `accounts:\n${lines.join('\n')}\n`);
}

/** Signs in over HTTP and returns the bearer token. */
export async function signIn(httpUrl: string, username: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function writeTestConfig(extra: Record<string, string> = {}, overrides = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-test-config-'));
  writeFileSync(
    join(dir, 'switchboard.yaml'),
    `site:\n  name: Test Hospital\n  timezone: America/New_York\n  facility: TEST\nlisteners:\n  mllp:\n    host: 127.0.0.1\n    port: 0\n${overrides}http:\n  host: 127.0.0.1\n  port: 0\nlog:\n  level: silent\n`,
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Starts a real Switchboard on ephemeral ports with a fresh data folder. */
export async function startTestSwitchboard(
  options: {
    configDir?: string;
    dataDir?: string;
    env?: NodeJS.ProcessEnv;
    clock?: Clock;
    cycle?: boolean;
  } = {},
): Promise<TestSwitchboard> {
  const configDir = options.configDir ?? writeTestConfig();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-test-data-'));
  const schema = testStoreIsPostgres() ? await schemaFor(dataDir) : undefined;
  const running = await startSwitchboard({
    configDir,
    dataDir,
    env: { ...options.env, ...(schema ? postgresStoreEnv(schema) : {}) },
    log: pino({ level: 'silent' }),
    clock: options.clock,
    cycle: options.cycle,
  });
  return {
    ...running,
    configDir,
    dataDir,
    mllpPort: running.mllp?.port ?? 0,
    httpUrl: `http://127.0.0.1:${running.http?.port}`,
    async settled() {
      await running.ingested();
      await running.routing.router.drained();
    },
    async cleanup() {
      await running.stop();
      if (schema) {
        await dropTestSchema(schema);
        schemas.delete(dataDir);
      }
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** A Switchboard started again on the same data folder finds the same database (a restart). */
const schemas = new Map<string, Promise<string>>();
function schemaFor(dataDir: string): Promise<string> {
  let schema = schemas.get(dataDir);
  if (!schema) {
    schema = createTestSchema();
    schemas.set(dataDir, schema);
  }
  return schema;
}

let seq = 0;
/** A small ORU^R01 with a unique (or given) control id. */
export function oru(controlId = `T${++seq}`, sender = 'LAB', value = '7.1'): string {
  return [
    `MSH|^~\\&|${sender}|RGH|SWITCHBOARD|RGH|20260115083000||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    'PID|1||MRN1001^^^RGH^MR||DOE^JANE^Q||19700101|F',
    'PV1|1|I|4W^401^A^RGH',
    'OBR|1|ORD1|FIL1|2823-3^Potassium^LN|||20260115082500',
    `OBX|1|NM|2823-3^Potassium^LN||${value}|mmol/L|3.5-5.1|HH|||F`,
    '',
  ].join('\r');
}
