/**
 * The iCalendar source from a file and from an HTTP URL on a real socket: recurrence with EXDATE and a
 * moved occurrence, all-day events, a VTIMEZONE other than the site's zone, floating times, cancelled and
 * tentative events, people from ATTENDEE or a DESCRIPTION line, and a DST week read at the right instants.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ICalOptions, icalKind } from '../../src/schedules/sources/ical.ts';
import { SourceError, type SourcePull, type SourceShift } from '../../src/schedules/sources/source.ts';

const zone = 'America/New_York';
let dir: string;
let server: Server;
let base: string;
const served = new Map<string, string>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ical-source-'));
  server = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const calendar = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Switchboard tests//EN', ...lines, 'END:VCALENDAR', ''].join(
    '\r\n',
  );

const LONDON = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19810329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19961027T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const NEW_YORK = [
  'BEGIN:VTIMEZONE',
  'TZID:America/New_York',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:-0500',
  'TZOFFSETTO:-0400',
  'TZNAME:EDT',
  'DTSTART:20070311T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:-0400',
  'TZOFFSETTO:-0500',
  'TZNAME:EST',
  'DTSTART:20071104T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** Weekly cardiology call kept by a London-based group; the site is in New York. */
const CARDIOLOGY = calendar(
  ...LONDON,
  'BEGIN:VEVENT',
  'UID:cards-weekly@rota.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;TZID=Europe/London:20260105T080000',
  'DTEND;TZID=Europe/London:20260105T200000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO',
  'EXDATE;TZID=Europe/London:20260119T080000',
  'SUMMARY:Cardiology Call',
  'ATTENDEE;CN=Ada Lovelace;ROLE=REQ-PARTICIPANT:mailto:ada@example.org',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:cards-weekly@rota.example',
  'DTSTAMP:20260101T000000Z',
  'RECURRENCE-ID;TZID=Europe/London:20260126T080000',
  'DTSTART;TZID=Europe/London:20260127T090000',
  'DTEND;TZID=Europe/London:20260127T210000',
  'SUMMARY:Cardiology Call',
  'ATTENDEE;CN=Ben Carson:mailto:ben@example.org',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:cards-cancelled@rota.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20260107T130000Z',
  'DTEND:20260107T170000Z',
  'SUMMARY:Cardiology Call',
  'STATUS:CANCELLED',
  'ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:cards-pair@rota.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20260108T130000Z',
  'DTEND:20260108T170000Z',
  'SUMMARY:Cardiology Call',
  'STATUS:TENTATIVE',
  'ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org',
  'ATTENDEE;CN=Ben Carson:mailto:ben@example.org',
  'END:VEVENT',
);

/** An ICU weekend rota: all-day events and floating times, the person on a DESCRIPTION line. */
const ICU = calendar(
  'BEGIN:VEVENT',
  'UID:icu-weekend-1@ward.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;VALUE=DATE:20260110',
  'DTEND;VALUE=DATE:20260112',
  'SUMMARY:Weekend cover',
  'CATEGORIES:ICU Attending,Weekend',
  'DESCRIPTION:Pager 4411\\nOn call: Ben Carson',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:icu-night-1@ward.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART:20260115T190000',
  'DTEND:20260116T070000',
  'SUMMARY:Nights',
  'CATEGORIES:ICU Nights',
  'DESCRIPTION:On call: Cy Young',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:icu-day-only@ward.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;VALUE=DATE:20260308',
  'SUMMARY:DST Sunday',
  'CATEGORIES:ICU Attending',
  'DESCRIPTION:On call: Ada Lovelace',
  'END:VEVENT',
);

const DST_NIGHTS = calendar(
  ...NEW_YORK,
  'BEGIN:VEVENT',
  'UID:hosp-nights@rota.example',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;TZID=America/New_York:20260301T190000',
  'DTEND;TZID=America/New_York:20260302T070000',
  'RRULE:FREQ=DAILY',
  'SUMMARY:Hospitalist Nights',
  'ORGANIZER;CN=Night Float:mailto:nights@example.org',
  'END:VEVENT',
);

function options(given: Record<string, unknown>): ICalOptions {
  const problems: string[] = [];
  const read = icalKind.readOptions(given, (key, message) => problems.push(`${key}: ${message}`));
  expect(problems).toEqual([]);
  return read as ICalOptions;
}

async function pull(opts: ICalOptions, from: string, to: string): Promise<SourcePull> {
  const client = icalKind.create(opts, { zone, configDir: dir, sourceId: 'cal' });
  return client.pull({ from: new Date(from), to: new Date(to), signal: new AbortController().signal });
}

const iso = (s: SourceShift) => [s.start.toISOString(), s.end.toISOString()];

describe('iCalendar source', () => {
  it('reads a recurring event over HTTP: EXDATE left out, the moved occurrence moved, times from its VTIMEZONE', async () => {
    served.set('/cards.ics', CARDIOLOGY);
    const result = await pull(
      options({ url: `${base}/cards.ics`, unpublishedWhen: ['tentative'] }),
      '2026-01-01T05:00:00Z',
      '2026-02-03T05:00:00Z',
    );
    expect(result.mode).toBe('window');
    const rows = result.shifts.map((s) => [s.sourceId, ...iso(s), s.staff.email, s.task.name, s.published]);
    expect(rows).toEqual([
      [
        'cards-weekly@rota.example/2026-01-05T08:00:00Z',
        '2026-01-05T08:00:00.000Z',
        '2026-01-05T20:00:00.000Z',
        'ada@example.org',
        'Cardiology Call',
        true,
      ],
      [
        'cards-weekly@rota.example/2026-01-12T08:00:00Z',
        '2026-01-12T08:00:00.000Z',
        '2026-01-12T20:00:00.000Z',
        'ada@example.org',
        'Cardiology Call',
        true,
      ],
      [
        'cards-weekly@rota.example/2026-01-26T08:00:00Z',
        '2026-01-27T09:00:00.000Z',
        '2026-01-27T21:00:00.000Z',
        'ben@example.org',
        'Cardiology Call',
        true,
      ],
      [
        'cards-weekly@rota.example/2026-02-02T08:00:00Z',
        '2026-02-02T08:00:00.000Z',
        '2026-02-02T20:00:00.000Z',
        'ada@example.org',
        'Cardiology Call',
        true,
      ],
      [
        'cards-pair@rota.example#ada@example.org',
        '2026-01-08T13:00:00.000Z',
        '2026-01-08T17:00:00.000Z',
        'ada@example.org',
        'Cardiology Call',
        false,
      ],
      [
        'cards-pair@rota.example#ben@example.org',
        '2026-01-08T13:00:00.000Z',
        '2026-01-08T17:00:00.000Z',
        'ben@example.org',
        'Cardiology Call',
        false,
      ],
    ]);
    expect(result.shifts[0].staff).toEqual({ email: 'ada@example.org', name: 'Ada Lovelace' });
  });

  it('reads a file: all-day events over whole local days, floating times in the site zone, people from DESCRIPTION', async () => {
    writeFileSync(join(dir, 'icu.ics'), ICU);
    const result = await pull(
      options({
        file: 'icu.ics',
        task: 'CATEGORIES',
        person: { property: 'DESCRIPTION', pattern: '^On call: (.+)$' },
      }),
      '2026-01-01T05:00:00Z',
      '2026-03-10T04:00:00Z',
    );
    const rows = result.shifts.map((s) => [s.sourceId, ...iso(s), s.staff.name, s.task.name]);
    expect(rows).toEqual([
      [
        'icu-weekend-1@ward.example',
        '2026-01-10T05:00:00.000Z',
        '2026-01-12T05:00:00.000Z',
        'Ben Carson',
        'ICU Attending',
      ],
      [
        'icu-night-1@ward.example',
        '2026-01-16T00:00:00.000Z',
        '2026-01-16T12:00:00.000Z',
        'Cy Young',
        'ICU Nights',
      ],
      // The spring-forward Sunday is 23 hours long.
      [
        'icu-day-only@ward.example',
        '2026-03-08T05:00:00.000Z',
        '2026-03-09T04:00:00.000Z',
        'Ada Lovelace',
        'ICU Attending',
      ],
    ]);
    expect(result.shifts[0].notes).toBe('Pager 4411\nOn call: Ben Carson');
  });

  it('DST week: a daily 19:00-07:00 night hands off at 07:00 local across spring forward and fall back', async () => {
    served.set('/nights.ics', DST_NIGHTS);
    const opts = options({ url: `${base}/nights.ics`, person: 'ORGANIZER' });
    const spring = await pull(opts, '2026-03-07T05:00:00Z', '2026-03-09T16:00:00Z');
    expect(spring.shifts.map(iso)).toEqual([
      ['2026-03-07T00:00:00.000Z', '2026-03-07T12:00:00.000Z'],
      ['2026-03-08T00:00:00.000Z', '2026-03-08T11:00:00.000Z'],
      ['2026-03-08T23:00:00.000Z', '2026-03-09T11:00:00.000Z'],
    ]);
    expect(spring.shifts[1].staff).toEqual({ email: 'nights@example.org', name: 'Night Float' });
    const fall = await pull(opts, '2026-10-31T16:00:00Z', '2026-11-02T04:00:00Z');
    expect(fall.shifts.map(iso)).toEqual([
      ['2026-10-31T23:00:00.000Z', '2026-11-01T12:00:00.000Z'],
      ['2026-11-02T00:00:00.000Z', '2026-11-02T12:00:00.000Z'],
    ]);
  });

  it('a feed that is not iCalendar, a missing file and a 404 each fail the pull', async () => {
    served.set('/html.ics', '<html>sign in</html>');
    const fails = async (opts: ICalOptions) => {
      const err = await pull(opts, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      return (err as Error).message;
    };
    expect(await fails(options({ url: `${base}/html.ics` }))).toMatch(/not an iCalendar file/);
    expect(await fails(options({ file: 'missing.ics' }))).toMatch(/ENOENT/);
    expect(await fails(options({ url: `${base}/gone.ics` }))).toMatch(/404/);
  });

  it('a biweekly rota begun ten years ago: the right weeks, EXDATE and a moved occurrence, across DST', async () => {
    writeFileSync(
      join(dir, 'rota.ics'),
      calendar(
        ...NEW_YORK,
        'BEGIN:VEVENT',
        'UID:clinic@rota.example',
        'DTSTAMP:20160101T000000Z',
        'DTSTART;TZID=America/New_York:20160104T080000',
        'DTEND;TZID=America/New_York:20160104T160000',
        'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH',
        'EXDATE;TZID=America/New_York:20260305T080000',
        'SUMMARY:Clinic cover',
        'ATTENDEE;CN=Ada Lovelace:mailto:ada@example.org',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:clinic@rota.example',
        'DTSTAMP:20160101T000000Z',
        'RECURRENCE-ID;TZID=America/New_York:20260316T080000',
        'DTSTART;TZID=America/New_York:20260317T090000',
        'DTEND;TZID=America/New_York:20260317T170000',
        'SUMMARY:Clinic cover',
        'ATTENDEE;CN=Ben Carson:mailto:ben@example.org',
        'END:VEVENT',
      ),
    );
    const result = await pull(options({ file: 'rota.ics' }), '2026-03-01T05:00:00Z', '2026-03-29T04:00:00Z');
    expect(result.shifts.map((s) => [s.sourceId, ...iso(s), s.staff.email])).toEqual([
      [
        'clinic@rota.example/2026-03-02T13:00:00Z',
        '2026-03-02T13:00:00.000Z',
        '2026-03-02T21:00:00.000Z',
        'ada@example.org',
      ],
      [
        'clinic@rota.example/2026-03-16T12:00:00Z',
        '2026-03-17T13:00:00.000Z',
        '2026-03-17T21:00:00.000Z',
        'ben@example.org',
      ],
      [
        'clinic@rota.example/2026-03-19T12:00:00Z',
        '2026-03-19T12:00:00.000Z',
        '2026-03-19T20:00:00.000Z',
        'ada@example.org',
      ],
    ]);
  });

  it('skips a moment without length, and refuses a rule too long to reach the window rather than stop short', async () => {
    writeFileSync(
      join(dir, 'odd.ics'),
      calendar(
        'BEGIN:VEVENT',
        'UID:reminder@ward.example',
        'DTSTAMP:20260101T000000Z',
        'DTSTART:20260110T120000Z',
        'SUMMARY:Sign the rota',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:real@ward.example',
        'DTSTAMP:20260101T000000Z',
        'DTSTART:20260110T120000Z',
        'DTEND:20260110T180000Z',
        'SUMMARY:Cover',
        'END:VEVENT',
      ),
    );
    const ok = await pull(options({ file: 'odd.ics' }), '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    expect(ok.shifts.map((s) => s.sourceId)).toEqual(['real@ward.example']);

    writeFileSync(
      join(dir, 'endless.ics'),
      calendar(
        'BEGIN:VEVENT',
        'UID:every-minute@ward.example',
        'DTSTAMP:20250101T000000Z',
        'DTSTART:20250101T000000Z',
        'DTEND:20250101T000100Z',
        'RRULE:FREQ=MINUTELY',
        'SUMMARY:Ping',
        'END:VEVENT',
      ),
    );
    const err = await pull(
      options({ file: 'endless.ics' }),
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toMatch(/repeats more than 20000 times/);
  });

  it('reports every bad option', () => {
    const problems: string[] = [];
    const read = icalKind.readOptions(
      {
        url: 'ftp://x/y.ics',
        file: 'a.ics',
        person: { property: 'bad name', pattern: '(' },
        unpublishedWhen: ['maybe'],
      },
      (key) => problems.push(key),
    );
    expect(read).toBeUndefined();
    expect(problems.sort()).toEqual(
      ['file', 'person.pattern', 'person.property', 'unpublishedWhen', 'url'].sort(),
    );
  });
});
