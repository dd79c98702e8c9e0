import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken, IcalFeeds } from '../../src/connectors/ical/feeds.ts';
import type { IcalOptions } from '../../src/connectors/ical/index.ts';
import {
  ASSIGNMENTS,
  type ConnectorHospital,
  connectorHospital,
  connectorSettings,
  H,
  shift,
} from '../support/connectors.ts';

const ZONE = 'America/New_York';

/** The feed as an independent parser (ical.js) reads it: each event's UID, instants, SEQUENCE, STATUS. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      summary: e.summary,
      sequence: e.sequence,
      status: v.getFirstPropertyValue('status'),
    };
  });
}

describe('iCalendar feeds', () => {
  let h: ConnectorHospital;
  afterEach(async () => {
    await h?.close();
    ICAL.TimezoneService.reset();
  });

  async function start(startMs: number, cancelled: IcalOptions['cancelled'] = 'status') {
    const settings = connectorSettings<IcalOptions>({
      id: 'feeds',
      kind: 'ical',
      window: { daysBack: 1, daysForward: 14 },
      options: { cancelled, showAs: 'busy', calendarName: 'On call' },
    });
    h = await connectorHospital([settings], { start: new Date(startMs), zone: ZONE });
    const feeds = new IcalFeeds({
      settings: [settings],
      store: h.store.connectors,
      shifts: h.store.schedules,
      planning: {
        directory: h.directory,
        assignment: (id) => ASSIGNMENTS.find((a) => a.id === id),
        zone: ZONE,
        now: () => h.clock.now,
      },
    });
    return feeds;
  }

  it('a person’s feed across the spring DST change: local 19:00–07:00 nights, right instants, with a VTIMEZONE', async () => {
    const nights = ['2026-03-07', '2026-03-08'].map((day, i) => {
      const from = DateTime.fromISO(`${day}T19:00`, { zone: ZONE });
      return shift(
        `n${i}`,
        'p-ahmed',
        from.toMillis(),
        from.plus({ days: 1 }).set({ hour: 7 }).diff(from, 'hours').hours,
      );
    });
    const feeds = await start(Date.parse('2026-03-06T15:00:00Z'));
    await h.publish([...nights, shift('other', 'p-brennan', nights[0].start.getTime())]);
    await h.run();
    const token = (await feeds.issue({ connectorId: 'feeds', kind: 'person', id: 'p-ahmed' })) ?? '';
    expect(token.length).toBeGreaterThanOrEqual(43);
    const text = (await feeds.render(token)) ?? '';
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(text).toContain(`DTSTART;TZID=${ZONE}:20260307T190000`);
    expect(parse(text)).toEqual([
      {
        uid: 'n0@feeds.switchboard',
        start: '2026-03-08T00:00:00.000Z',
        end: '2026-03-08T11:00:00.000Z',
        summary: 'On call: Hospitalist on call',
        sequence: 0,
        status: 'CONFIRMED',
      },
      {
        uid: 'n1@feeds.switchboard',
        start: '2026-03-08T23:00:00.000Z',
        end: '2026-03-09T11:00:00.000Z',
        summary: 'On call: Hospitalist on call',
        sequence: 0,
        status: 'CONFIRMED',
      },
    ]);
  });

  it('keeps UIDs stable, bumps SEQUENCE on each change, and shows a removed shift as CANCELLED', async () => {
    const T0 = Date.parse('2026-12-07T12:00:00Z');
    const feeds = await start(T0);
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-ahmed', T0 + 24 * H)]);
    await h.run();
    const token = (await feeds.issue({ connectorId: 'feeds', kind: 'assignment', id: 'hospitalist' })) ?? '';
    expect(parse((await feeds.render(token)) ?? '').map((e) => [e.uid, e.sequence, e.summary])).toEqual([
      ['s1@feeds.switchboard', 0, 'Dr. Samira Ahmed'],
      ['s2@feeds.switchboard', 0, 'Dr. Samira Ahmed'],
    ]);
    await h.publish([shift('s1', 'p-ahmed', T0, 14)]);
    await h.run();
    await h.publish([shift('s1', 'p-ahmed', T0, 13)]);
    await h.run();
    expect(parse((await feeds.render(token)) ?? '').map((e) => [e.uid, e.sequence, e.status, e.end])).toEqual(
      [
        ['s1@feeds.switchboard', 2, 'CONFIRMED', '2026-12-08T01:00:00.000Z'],
        ['s2@feeds.switchboard', 1, 'CANCELLED', '2026-12-09T00:00:00.000Z'],
      ],
    );
  });

  it('drops cancelled shifts when configured so, and a revoked token reads nothing', async () => {
    const T0 = Date.parse('2026-12-07T12:00:00Z');
    const feeds = await start(T0, 'drop');
    await h.publish([shift('s1', 'p-ahmed', T0), shift('s2', 'p-ahmed', T0 + 24 * H)]);
    await h.run();
    await h.publish([shift('s1', 'p-ahmed', T0)]);
    await h.run();
    const token = (await feeds.issue({ connectorId: 'feeds', kind: 'person', id: 'p-ahmed' })) ?? '';
    expect(parse((await feeds.render(token)) ?? '').map((e) => e.uid)).toEqual(['s1@feeds.switchboard']);
    expect(await h.store.connectors.revokeFeedToken(hashToken(token), h.clock.now)).toBe(true);
    expect(await feeds.render(token)).toBeUndefined();
    expect(await feeds.render('guessed-token')).toBeUndefined();
  });
});
