import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphOptions } from '../../src/connectors/graph/index.ts';
import {
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  PEOPLE,
  person,
  shift,
} from '../support/connectors.ts';
import { FakeGraph } from '../support/fake-graph.ts';

const T0 = Date.parse('2026-12-07T12:00:00Z');
const AHMED = 'dr.ahmed@riverside.example';
const BRENNAN = 'dr.brennan@riverside.example';

describe('Microsoft Graph calendar connector', () => {
  let h: ConnectorHospital;
  let graph: FakeGraph;

  afterEach(async () => {
    await h?.close();
    graph?.close();
  });

  async function start(
    options: { people?: typeof PEOPLE; start?: number; zone?: string; dir?: string } = {},
  ) {
    graph = await new FakeGraph().listen();
    const g = graph;
    const settings = connectorSettings<GraphOptions>({
      id: 'outlook',
      kind: 'graph',
      target: g.baseUrl,
      personId: 'upn',
      credentials: { clientId: 'app-1', clientSecret: 'graph-secret' },
      options: {
        baseUrl: g.baseUrl,
        tokenUrl: g.tokenUrl,
        tenant: 'tenant-1',
        showAs: 'free',
        categories: ['On call'],
        siteName: 'Riverside General',
        timeoutMs: 5000,
      },
    });
    h = await connectorHospital([settings], {
      start: new Date(options.start ?? T0),
      people: options.people,
      zone: options.zone,
      dir: options.dir,
    });
  }

  it('creates one event per shift in each person’s calendar, with no attendees, and skips a person without a UPN', async () => {
    await start();
    await h.publish([
      shift('s1', 'p-ahmed', T0),
      shift('s2', 'p-brennan', T0 + 12 * H),
      shift('s3', 'p-castro', T0 + 24 * H),
    ]);
    await h.run();
    expect(graph.tokensIssued).toBe(1);
    const [ahmed] = graph.eventsOf(AHMED);
    expect(graph.eventsOf(BRENNAN)).toHaveLength(1);
    expect(graph.events.size).toBe(2);
    expect(ahmed.body).toMatchObject({
      subject: 'On call: Hospitalist on call',
      showAs: 'free',
      start: { dateTime: '2026-12-07T12:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-12-08T00:00:00', timeZone: 'UTC' },
      isReminderOn: false,
      responseRequested: false,
    });
    expect(ahmed.body.attendees).toBeUndefined();
    expect(ahmed.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ahmed.shiftKey).toBe('outlook:s1');
    const skipped = await h.store.connectors.log('outlook', { limit: 10, outcomes: ['skipped'] });
    expect(skipped.map((e) => [e.target, e.answer])).toEqual([
      ['p-castro', 'Dr. Lucia Castro has no upn in the directory'],
    ]);
  });

  it('updates the same event, moves it when the person changes, and deletes it when the shift goes', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-ahmed', T0 + 24 * H)]);
    await h.run();
    const id = graph.eventsOf(AHMED).find((e) => e.shiftKey === 'outlook:s1')?.id;
    await h.publish([shift('s1', 'p-ahmed', T0, 14), shift('s2', 'p-brennan', T0 + 24 * H)]);
    await h.run();
    const s1 = graph.events.get(id ?? '');
    expect(s1?.body.end).toEqual({ dateTime: '2026-12-08T02:00:00', timeZone: 'UTC' });
    expect(graph.eventsOf(AHMED).map((e) => e.shiftKey)).toEqual(['outlook:s1']);
    expect(graph.eventsOf(BRENNAN).map((e) => e.shiftKey)).toEqual(['outlook:s2']);
    await h.publish([shift('s2', 'p-brennan', T0 + 24 * H)]);
    await h.run();
    expect(graph.eventsOf(AHMED)).toEqual([]);
    expect(graph.events.size).toBe(1);
  });

  it('finds its events by the shift id after losing its own record of them: no second event', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    // What a crash between Graph's answer and our record leaves: the event, and no record of it.
    await h.store.connectors.putState('outlook', [{ key: 'event:s1', value: null }]);
    await h.publish([shift('s1', 'p-ahmed', T0, 13)]);
    await h.run();
    expect(graph.events.size).toBe(1);
    expect([...graph.events.values()][0].body.end).toEqual({
      dateTime: '2026-12-08T01:00:00',
      timeZone: 'UTC',
    });
  });

  it('a 429 storm: every throttled item waits its own Retry-After, and in the end each shift has exactly one event', async () => {
    await start();
    graph.throttle = { remaining: 25, retryAfter: '7' };
    const shifts = Array.from({ length: 30 }, (_, i) =>
      shift(`s${i}`, i % 2 ? 'p-ahmed' : 'p-brennan', T0 + i * 12 * H),
    );
    await h.publish(shifts);
    await h.run();
    const retried = await h.store.outbox.list({ state: 'pending', channel: 'connector:graph' });
    expect(retried.length).toBeGreaterThan(0);
    for (const d of retried) expect(d.dueAt.getTime() - h.clock.now.getTime()).toBeGreaterThanOrEqual(7000);
    for (let minute = 1; minute <= 5 && (await h.store.outbox.list({ state: 'pending' })).length; minute++) {
      h.clock.now = new Date(T0 + minute * 60_000);
      await h.worker.runDue();
    }
    expect(await h.store.outbox.list({ state: 'pending', channel: 'connector:graph' })).toEqual([]);
    expect(graph.events.size).toBe(30);
    expect(new Set([...graph.events.values()].map((e) => e.shiftKey)).size).toBe(30);
    // Graph allows 4 concurrent requests per mailbox.
    expect(graph.maxConcurrentPerMailbox).toBeLessThanOrEqual(4);
    expect(graph.maxConcurrentPerMailbox).toBeGreaterThan(1);
  });

  it('a DST week: night shifts keep their local 19:00-07:00 across the spring change (11 hours on the short night)', async () => {
    const zone = 'America/New_York';
    // America/New_York springs forward at 2026-03-08 02:00 local.
    const nights = ['2026-03-06', '2026-03-07', '2026-03-08'].map((day, i) => {
      const from = DateTime.fromISO(`${day}T19:00`, { zone });
      const to = from.plus({ days: 1 }).set({ hour: 7 });
      return shift(`n${i}`, 'p-ahmed', from.toMillis(), to.diff(from, 'hours').hours);
    });
    await start({ start: Date.parse('2026-03-05T15:00:00Z'), zone });
    await h.publish(nights);
    await h.run();
    const events = graph.eventsOf(AHMED).sort((a, b) => String(a.shiftKey).localeCompare(String(b.shiftKey)));
    const local = (t: { dateTime: string }) =>
      DateTime.fromISO(`${t.dateTime}Z`).setZone(zone).toFormat('MM-dd HH:mm');
    expect(events.map((e) => [local(e.body.start as never), local(e.body.end as never)])).toEqual([
      ['03-06 19:00', '03-07 07:00'],
      ['03-07 19:00', '03-08 07:00'],
      ['03-08 19:00', '03-09 07:00'],
    ]);
    const hours = events.map(
      (e) =>
        (Date.parse(`${(e.body.end as { dateTime: string }).dateTime}Z`) -
          Date.parse(`${(e.body.start as { dateTime: string }).dateTime}Z`)) /
        H,
    );
    expect(hours).toEqual([12, 11, 12]);
  });

  it('a person whose UPN changes: a resync moves their events to the new mailbox, none left behind', async () => {
    await start();
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-ahmed', T0 + 24 * H)]);
    await h.run();
    expect(graph.eventsOf(AHMED)).toHaveLength(2);
    const renamed = PEOPLE.map((p) =>
      p.id === 'p-ahmed'
        ? person('p-ahmed', 'Dr. Samira Ahmed', { upn: 'samira.ahmed@riverside.example' })
        : p,
    );
    h.setPeople(renamed);
    await h.connectors.cycle.resync('outlook');
    await h.worker.runDue();
    expect(graph.eventsOf(AHMED)).toEqual([]);
    expect(
      graph
        .eventsOf('samira.ahmed@riverside.example')
        .map((e) => e.shiftKey)
        .sort(),
    ).toEqual(['outlook:s1', 'outlook:s2']);
  });
});
