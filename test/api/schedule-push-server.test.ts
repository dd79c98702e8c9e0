/**
 * The push API in a running Switchboard, as a site configures it: a push source in sources.yaml, its
 * client in push-clients.yaml. A vendor's token and push over HTTP change who /api/oncall names, the
 * runner never tries to pull the push source, a token survives a restart on the same data folder, and
 * disabling the client in the file ends its tokens without a restart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/kit/passwords.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';

const SECRET = 'lb-secret-5d0c7a';
const DIRECTORY = `directory:
  people:
    - { id: p-ahmed, name: Dr Ahmed, ids: { employeeId: 'E10001' }, contacts: [{ kind: app, address: dr.ahmed }] }
    - { id: p-baker, name: Dr Baker, ids: { employeeId: 'E10002' }, contacts: [{ kind: app, address: dr.baker }] }
  groups: []
`;
const SCHEDULES = `schedules:
  assignments:
    - { id: anesthesia-ob, name: OB Anesthesia on call, type: oncall, department: Anesthesia }
`;
const SOURCES = `sources:
  - id: anesthesia
    kind: push
    staleAfterMinutes: 1440
    people: [{ field: employeeId, match: employeeId }]
    assignments:
      - { task: { taskId: ANES-OB }, assignment: anesthesia-ob, callOrder: 1 }
`;
const pushClients = (hash: string, enabled: boolean) =>
  `pushClients:\n  - id: lightning-bolt\n    secretHash: '${hash}'\n    sources: [anesthesia]\n    enabled: ${enabled}\n`;

let sb: TestSwitchboard;
let configDir: string;
let hash: string;
const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));

beforeAll(async () => {
  hash = await hashPassword(SECRET);
  configDir = writeTestConfig({
    'directory.yaml': DIRECTORY,
    'schedules.yaml': SCHEDULES,
    'sources.yaml': SOURCES,
    'push-clients.yaml': pushClients(hash, true),
  });
  await writeTestAccounts(configDir, [{ username: 'admin', role: 'admin' }]);
  sb = await startTestSwitchboard({ configDir, clock });
});
afterAll(async () => {
  await sb?.cleanup();
});

async function getToken(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`lightning-bolt:${SECRET}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One OB anesthesia shift as the vendor sends it. */
const obShift = (id: string, employeeId: string, start: string, end: string) => ({
  id,
  staff: { employeeId },
  task: { taskId: 'ANES-OB' },
  start,
  end,
});

const pushShifts = (url: string, token: string, shifts: unknown[]) =>
  fetch(`${url}/api/v1/schedules/anesthesia/shifts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ shifts }),
  });

describe('push API in a running Switchboard', () => {
  it('a pushed shift is on call at once, the runner leaves the push source alone, and the token outlives a restart', async () => {
    const token = await getToken(sb.httpUrl);
    // The runner started with the server (its timers due at once) and has not tried to pull it.
    const admin = await signIn(sb.httpUrl, 'admin');
    const sources = (await (
      await fetch(`${sb.httpUrl}/api/sources`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { items: Array<{ id: string; lastAttemptAt: string | null; lastError: string | null }> };
    expect(sources.items.find((s) => s.id === 'anesthesia')).toMatchObject({
      lastAttemptAt: null,
      lastError: null,
    });
    const res = await pushShifts(sb.httpUrl, token, [
      obShift('LB-1', 'E10001', '2026-03-01T12:00:00Z', '2026-03-02T00:00:00Z'),
    ]);
    expect(res.status).toBe(200);
    const oncall = (await (
      await fetch(`${sb.httpUrl}/api/oncall?assignment=anesthesia-ob&at=2026-03-01T13:00:00Z`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { onCall: Array<{ personId: string; shift: { source: string } }> };
    expect(oncall.onCall.map((o) => [o.personId, o.shift.source])).toEqual([['p-ahmed', 'anesthesia']]);

    // Same data folder, new process: the token issued before is still good.
    const { dataDir } = sb;
    await sb.stop();
    sb = await startTestSwitchboard({ configDir, dataDir, clock });
    const again = await pushShifts(sb.httpUrl, token, [
      obShift('LB-1', 'E10002', '2026-03-01T12:00:00Z', '2026-03-02T00:00:00Z'),
    ]);
    expect(again.status).toBe(200);
    const feed = await sb.store.schedules.changes({ source: 'anesthesia' });
    expect(feed.map((c) => [c.kinds.join(','), c.actor])).toEqual([
      ['added', 'push:lightning-bolt'],
      ['person-changed', 'push:lightning-bolt'],
    ]);

    // The analyst disables the client in the file: its token stops working without a restart.
    writeFileSync(join(configDir, 'push-clients.yaml'), pushClients(hash, false));
    clock.advance(1);
    const refused = await pushShifts(sb.httpUrl, token, [
      obShift('LB-2', 'E10001', '2026-03-02T00:00:00Z', '2026-03-02T12:00:00Z'),
    ]);
    expect(refused.status).toBe(401);
  });
});
