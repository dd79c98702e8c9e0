import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

let sb: TestSwitchboard;
beforeAll(async () => {
  const configDir = writeTestConfig();
  await writeTestAccounts(configDir, [{ username: 'analyst', role: 'analyst' }]);
  sb = await startTestSwitchboard({ configDir });
});
afterAll(async () => {
  await sb.cleanup(); // must not hang: refused sockets are closed, not left dangling
});

function closeCode(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('close', (code) => resolve(code));
    ws.once('error', reject);
  });
}

describe('clinician WebSocket sign-in', () => {
  it('closes with 4401 for a missing or forged token', async () => {
    const base = `${sb.httpUrl.replace('http', 'ws')}/api/ws`;
    expect(await closeCode(base)).toBe(4401);
    expect(await closeCode(`${base}?token=forged.token`)).toBe(4401);
  });

  it('closes with 4403 for an account that is not a person', async () => {
    const token = await signIn(sb.httpUrl, 'analyst');
    expect(await closeCode(`${sb.httpUrl.replace('http', 'ws')}/api/ws?token=${token}`)).toBe(4403);
  });
});
