import { afterEach, describe, expect, it } from 'vitest';
import type { RolePushOptions } from '../../src/connectors/tigerconnect/index.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';
import { RoleServer } from '../support/role-server.ts';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const KEY = 'tc-key';
const SECRET = 'tc-secret';

describe('TigerConnect-style role push', () => {
  let h: ConnectorHospital;
  let target: RoleServer;
  afterEach(async () => {
    await h?.close();
    target?.server.close();
  });

  async function start(credentials = { apiKey: KEY, apiSecret: SECRET }) {
    target = new RoleServer(KEY, SECRET);
    const url = await target.listen();
    h = await connectorHospital(
      [
        connectorSettings<RolePushOptions>({
          id: 'tiger',
          kind: 'tigerconnect',
          target: url,
          credentials,
          personId: 'ccc',
          cadence: { kind: 'every', minutes: 10 },
          window: { daysBack: 0, daysForward: 30 },
          assignments: new Map([
            ['hospitalist', ['R-HOSP', 'R-MED-ALL']],
            ['cardiology', ['R-CARDS']],
          ]),
          options: { path: '/v2/roles/{role}/schedule', timeoutMs: 5000 },
        }),
      ],
      { start: new Date(T0) },
    );
  }

  it('every 10 minutes the platform ends up with exactly our roster per role', async () => {
    await start();
    await h.publish([
      shift('s1', 'p-ahmed', T0),
      shift('s2', 'p-brennan', T0 + 12 * H),
      shift('c1', 'p-castro', T0, 24, { assignmentId: 'cardiology' }),
    ]);
    await h.run();
    const users = (role: string) => target.rosters.get(role)?.map((e) => e.user);
    expect(users('R-HOSP')).toEqual(['U-AHMED', 'U-BRENNAN']);
    expect(users('R-MED-ALL')).toEqual(['U-AHMED', 'U-BRENNAN']);
    expect(users('R-CARDS')).toEqual(['U-CASTRO']);

    // A change waits for the next tick; then the roster is replaced, not appended to.
    await h.publish([
      shift('s1', 'p-castro', T0),
      shift('c1', 'p-castro', T0, 24, { assignmentId: 'cardiology' }),
    ]);
    h.clock.now = new Date(T0 + 5 * 60_000);
    await h.run();
    expect(users('R-HOSP')).toEqual(['U-AHMED', 'U-BRENNAN']);
    h.clock.now = new Date(T0 + 10 * 60_000);
    await h.run();
    expect(users('R-HOSP')).toEqual(['U-CASTRO']);
    expect(target.puts).toBe(6);
  });

  it('a wrong API key is refused once, not retried: dead with the answer', async () => {
    await start({ apiKey: KEY, apiSecret: 'wrong' });
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    const dead = await h.store.outbox.list({ state: 'dead', channel: 'connector:tigerconnect' });
    expect(dead).toHaveLength(3);
    expect(dead[0].lastError).toMatch(/HTTP 401/);
    expect(target.refused).toBe(3);
  });
});
