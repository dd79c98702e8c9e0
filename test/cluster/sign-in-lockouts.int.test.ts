import { afterAll, describe, expect, it } from 'vitest';
import {
  signIn,
  startTestSwitchboard,
  TEST_PASSWORD,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';
import { createTestSchema, dropTestSchema, testDatabaseUrl } from '../support/postgres-schema.ts';

const schema = await createTestSchema();
const running: TestSwitchboard[] = [];
afterAll(async () => {
  for (const sb of running.splice(0)) await sb.cleanup().catch(() => {});
  await dropTestSchema(schema);
});

const session = (sb: TestSwitchboard, username: string, password: string) =>
  fetch(`${sb.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

/** Asks until the answer's status is `status` (an instance takes in the others' locks every 2 s). */
async function until(status: number, ask: () => Promise<Response>): Promise<number> {
  let last = 0;
  for (let i = 0; i < 100; i++) {
    last = (await ask()).status;
    if (last === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

describe('sign-in lockouts across instances', () => {
  it('five wrong passwords over A and B lock the account on both; a lift on B frees it on A', async () => {
    const configDir = writeTestConfig({
      'cluster.yaml': `store:\n  driver: postgres\n  url: ${testDatabaseUrl}\n  schema: ${schema}\n`,
    });
    await writeTestAccounts(configDir, [
      { username: 'admin', role: 'admin' },
      { username: 'chief', role: 'admin' },
    ]);
    const a = await startTestSwitchboard({ configDir, cycle: false });
    running.push(a);
    const b = await startTestSwitchboard({ configDir, cycle: false });
    running.push(b);
    const chiefOnB = await signIn(b.httpUrl, 'chief');

    // Two on B, two on A: each instance alone has counted fewer than five.
    const statuses: number[] = [];
    for (const sb of [b, a, b, a]) statuses.push((await session(sb, 'admin', 'guess')).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    // The fifth, on A, is the fifth of the account: locked.
    expect((await session(a, 'admin', 'guess')).status).toBe(429);
    // B takes the lock in, and then refuses even the right password.
    expect(await until(429, () => session(b, 'admin', 'guess'))).toBe(429);
    expect((await session(b, 'admin', TEST_PASSWORD)).status).toBe(429);

    const listed = await fetch(`${b.httpUrl}/api/lockouts`, {
      headers: { authorization: `Bearer ${chiefOnB}` },
    });
    expect(((await listed.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ kind: 'account', key: 'admin' }),
    ]);
    const lifted = await fetch(`${b.httpUrl}/api/lockouts/account/admin`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${chiefOnB}` },
    });
    expect(lifted.status).toBe(200);
    expect((await session(b, 'admin', TEST_PASSWORD)).status).toBe(200);
    expect(await until(200, () => session(a, 'admin', TEST_PASSWORD))).toBe(200);
  });
});
