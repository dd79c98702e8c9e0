/**
 * A rule file saved in the console on instance A reaches instance B, which has a config folder of its own:
 * B writes the same text in its rules folder and routes with it, and an instance started later catches up
 * before it routes anything.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signIn, startTestSwitchboard, type TestSwitchboard } from '../support/harness.ts';
import { writeBehaviourHospital } from '../support/hospital.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

const schema = await createTestSchema();
const running: TestSwitchboard[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  await dropTestSchema(schema);
});

/** A copy of the hospital's config folder, as each instance of a cluster has its own. */
function copyOf(configDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-instance-config-'));
  cpSync(configDir, dir, { recursive: true });
  folders.push(dir);
  return dir;
}

const rulesVersion = async (sb: TestSwitchboard, token: string) =>
  (
    (await (
      await fetch(`${sb.httpUrl}/api/rules`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      version: string;
    }
  ).version;

describe('rule saves across instances', () => {
  it('a file saved on A is written on B and in force there; a later instance starts with it', async () => {
    const hospital = await writeBehaviourHospital();
    folders.push(hospital);
    writeFileSync(
      join(hospital, 'cluster.yaml'),
      `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\n`,
    );
    const [dirA, dirB, dirC] = [copyOf(hospital), copyOf(hospital), copyOf(hospital)];
    const a = await startTestSwitchboard({ configDir: dirA, cycle: false });
    running.push(a);
    const b = await startTestSwitchboard({ configDir: dirB, cycle: false });
    running.push(b);
    const [onA, onB] = [await signIn(a.httpUrl, 'analyst'), await signIn(b.httpUrl, 'analyst')];
    const before = await rulesVersion(b, onB);

    const file = join('rules', 'rules.yaml');
    const edited = readFileSync(join(dirA, file), 'utf8').replace(
      'recipients: [ { onCall: hospitalist, order: first } ]',
      'recipients: [ { onCall: supervisor, order: first } ]',
    );
    expect(edited).not.toBe(readFileSync(join(dirA, file), 'utf8'));
    const saved = await fetch(`${a.httpUrl}/api/rules/files/rules.yaml`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${onA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: edited }),
    });
    expect(saved.status).toBe(200);
    const onAVersion = await rulesVersion(a, onA);
    expect(onAVersion).not.toBe(before);

    // B looks every two seconds.
    for (let i = 0; i < 100 && readFileSync(join(dirB, file), 'utf8') !== edited; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(join(dirB, file), 'utf8')).toBe(edited);
    for (let i = 0; i < 50 && (await rulesVersion(b, onB)) !== onAVersion; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await rulesVersion(b, onB)).toBe(onAVersion);

    // C starts after the save, from the folder as it was deployed: in force with the save from the start.
    const c = await startTestSwitchboard({ configDir: dirC, cycle: false });
    running.push(c);
    expect(readFileSync(join(dirC, file), 'utf8')).toBe(edited);
    expect(await rulesVersion(c, await signIn(c.httpUrl, 'analyst'))).toBe(onAVersion);
  });
});
