/**
 * In a running Switchboard configured as a site would: a shift pushed through the push API reaches an
 * Outlook event (local Graph), the person's iCalendar feed (read by ical.js) and the CC&C role (local
 * TigerConnect-style server) within one cadence of each connector.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/kit/passwords.ts';
import { ManualClock } from '../../src/routing/clock.ts';
import { FakeGraph } from '../support/fake-graph.ts';
import {
  signIn,
  startTestSwitchboard,
  type TestSwitchboard,
  writeTestAccounts,
  writeTestConfig,
} from '../support/harness.ts';
import { RoleServer } from '../support/role-server.ts';

const SECRET = 'lb-secret-5d0c7a';
const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
let sb: TestSwitchboard;
let graph: FakeGraph;
let roles: RoleServer;

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  graph = await new FakeGraph().listen();
  roles = new RoleServer('tc-key', 'tc-secret');
  const rolesUrl = await roles.listen();
  const hash = await hashPassword(SECRET);
  const configDir = writeTestConfig({
    'directory.yaml': `directory:
  people:
    - { id: p-ahmed, name: Dr Samira Ahmed, ids: { employeeId: 'E10001', upn: dr.ahmed@riverside.example, ccc: U-AHMED }, contacts: [{ kind: app, address: dr.ahmed }] }
  groups: []
`,
    'schedules.yaml': `schedules:
  assignments:
    - { id: anesthesia-ob, name: OB Anesthesia on call, type: oncall, department: Anesthesia }
`,
    'sources.yaml': `sources:
  - id: anesthesia
    kind: push
    staleAfterMinutes: 1440
    people: [{ field: employeeId, match: employeeId }]
    assignments:
      - { task: { taskId: ANES-OB }, assignment: anesthesia-ob, callOrder: 1 }
`,
    'push-clients.yaml': `pushClients:\n  - { id: lightning-bolt, secretHash: '${hash}', sources: [anesthesia], enabled: true }\n`,
    'connectors.yaml': `connectors:
  - id: outlook
    kind: graph
    personId: upn
    target: ${graph.baseUrl}
    credentials: { clientId: '\${GRAPH_ID}', clientSecret: '\${GRAPH_SECRET}' }
    options: { tokenUrl: '${graph.tokenUrl}', siteName: Test Hospital }
  - id: feeds
    kind: ical
  - id: tiger
    kind: tigerconnect
    target: ${rolesUrl}
    personId: ccc
    cadence: every 10 minutes
    window: { daysBack: 0, daysForward: 30 }
    credentials: { apiKey: '\${TC_KEY}', apiSecret: '\${TC_SECRET}' }
    assignments: { anesthesia-ob: R-ANES-OB }
`,
  });
  await writeTestAccounts(configDir, [{ username: 'admin', role: 'admin' }]);
  sb = await startTestSwitchboard({
    configDir,
    clock,
    env: { GRAPH_ID: 'app', GRAPH_SECRET: 'graph-secret', TC_KEY: 'tc-key', TC_SECRET: 'tc-secret' },
  });
});
afterAll(async () => {
  await sb?.cleanup();
  graph?.close();
  roles?.server.close();
});

describe('a pushed schedule change reaches every target', () => {
  it('Graph event, iCal feed and CC&C role within one cadence', async () => {
    // The connectors' first runs happen as the server starts (the role push sends its empty roster).
    await until('the first role push', () => (roles.rosters.has('R-ANES-OB') ? true : undefined));
    const tokenRes = await fetch(`${sb.httpUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`lightning-bolt:${SECRET}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const pushed = await fetch(`${sb.httpUrl}/api/v1/schedules/anesthesia/shifts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        shifts: [
          {
            id: 'LB-1',
            staff: { employeeId: 'E10001' },
            task: { taskId: 'ANES-OB' },
            start: '2026-03-01T19:00:00Z',
            end: '2026-03-02T07:00:00Z',
          },
        ],
      }),
    });
    expect(pushed.status).toBe(200);

    const event = await until('the Outlook event', () => graph.eventsOf('dr.ahmed@riverside.example')[0]);
    expect(event.body).toMatchObject({
      subject: 'On call: OB Anesthesia on call',
      start: { dateTime: '2026-03-01T19:00:00' },
    });

    const admin = await signIn(sb.httpUrl, 'admin');
    const issued = await fetch(`${sb.httpUrl}/api/connectors/feeds/feeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'person', id: 'p-ahmed' }),
    });
    expect(issued.status).toBe(201);
    const { url } = (await issued.json()) as { url: string };
    const feed = await fetch(`${sb.httpUrl}${url}`);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const cal = new ICAL.Component(ICAL.parse(await feed.text()));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => [e.summary, e.startDate.toJSDate().toISOString()])).toEqual([
      ['On call: OB Anesthesia on call', '2026-03-01T19:00:00.000Z'],
    ]);
    expect(await (await fetch(`${sb.httpUrl}/api/feeds/not-a-token.ics`)).status).toBe(404);

    // The role push runs every 10 minutes: the next tick carries the pushed shift.
    clock.advance(10); // minutes
    const roster = await until('the role roster', () => {
      const r = roles.rosters.get('R-ANES-OB');
      return r?.length ? r : undefined;
    });
    expect(roster.map((e) => [e.user, e.start])).toEqual([['U-AHMED', '2026-03-01T19:00:00.000Z']]);

    const list = (await (
      await fetch(`${sb.httpUrl}/api/connectors`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { items: Array<{ id: string; dead: unknown[] }> };
    expect(list.items.map((c) => [c.id, c.dead.length])).toEqual([
      ['outlook', 0],
      ['feeds', 0],
      ['tiger', 0],
    ]);
    const log = (await (
      await fetch(`${sb.httpUrl}/api/connectors/outlook/deliveries`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as { items: Array<{ outcome: string; target: string }> };
    expect(log.items.map((e) => [e.outcome, e.target])).toEqual([['sent', 'dr.ahmed@riverside.example']]);
  }, 60_000);
});
