/**
 * On the embedded store the one instance holds every duty of the cluster roster (wiring/duty-roster.ts):
 * `GET /api/health` lists them as held, and a scheduling source is pulled as before, through its lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type IcalServer, rotaSourceFiles, startIcalServer, until } from '../support/duties.ts';
import { startTestSwitchboard, type TestSwitchboard, writeTestConfig } from '../support/harness.ts';

let sb: TestSwitchboard | undefined;
let ical: IcalServer | undefined;
afterEach(async () => {
  await sb?.cleanup();
  await ical?.close();
  sb = ical = undefined;
});

describe('duties on the embedded store', () => {
  it('holds every duty, says so in health, and pulls its source', async () => {
    ical = await startIcalServer();
    sb = await startTestSwitchboard({
      configDir: writeTestConfig(rotaSourceFiles(`${ical.url}/only/rota.ics`)),
    });
    await until('the first pull', () => ical!.pulls('only') > 0);
    const health = (await (await fetch(`${sb.httpUrl}/api/health`)).json()) as {
      instance: string;
      leases: { held: string[]; standingBy: string[] };
    };
    expect(health.instance).toEqual(expect.any(String));
    expect(health.leases.standingBy).toEqual([]);
    expect(health.leases.held).toEqual(
      expect.arrayContaining([
        'schedule-source:rota',
        'connector-cycle',
        'urgent-message-escalation',
        'conversation-purge',
      ]),
    );
    const holders = await sb.store.leases.holdings();
    expect(new Set(holders.map((h) => h.holder))).toEqual(new Set([health.instance]));
  });
});
