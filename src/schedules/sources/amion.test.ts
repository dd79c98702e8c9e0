import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAmion, startFakeAmion } from '../../../test/support/scheduling/fake-amion.ts';
import { pullWindow, sourceFailure } from '../../../test/support/scheduling/pulls.ts';
import { deadUrl } from '../../../test/support/scheduling/source-server.ts';
import { amionKind } from './amion.ts';
import { amionDate, amionTime, readAmionAssignments } from './amion-report.ts';
import type { SourcePull } from './source.ts';

const fixtures = new URL('../../../test/fixtures/schedules/', import.meta.url).pathname;
const zone = 'America/New_York';
const password = 'view-pw&x=1';

function client(url: string, extra: Record<string, unknown> = {}) {
  const problems: string[] = [];
  const options = amionKind.readOptions({ password, url, timeoutSeconds: 2, ...extra }, (k, m) =>
    problems.push(`${k} ${m}`),
  );
  expect(problems).toEqual([]);
  return amionKind.create(options!, { zone, configDir: '/tmp', sourceId: 'amion-main' });
}

/** 'staff name | task name | start ISO | end ISO | hours' per shift, for readable expectations. */
function rows(pull: SourcePull) {
  return pull.shifts.map(
    (s) =>
      `${s.staff.name ?? '-'} | ${s.task.name} | ${s.start.toISOString()} | ${s.end.toISOString()} | ${(s.end.getTime() - s.start.getTime()) / 3_600_000}h`,
  );
}

describe('Amion client against a local ocs server', () => {
  let amion: FakeAmion;
  beforeEach(async () => {
    amion = await startFakeAmion({
      password,
      schedule: `${fixtures}amion-619-dst.tsv`,
      staff: `${fixtures}amion-706-staff.tsv`,
    });
  });
  afterEach(() => amion.close());

  it('reads the fall-back week: overnight, 24-hour, split shifts and a person on two assignments', async () => {
    const pull = await client(amion.url).pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-03T05:00:00Z'));
    expect(pull.mode).toBe('window');
    expect(rows(pull)).toEqual([
      // 19:00 EDT to 07:00 EST: the night the clocks go back lasts 13 hours.
      'Lee, Anna | Hospitalist Night | 2026-10-31T23:00:00.000Z | 2026-11-01T12:00:00.000Z | 13h',
      // 08:00 to 08:00 across the change: a 24-hour shift by the wall clock, 25 real hours.
      'Chen, Carla | ICU Attending | 2026-10-31T12:00:00.000Z | 2026-11-01T13:00:00.000Z | 25h',
      'Park, Ben | Hospitalist Day | 2026-11-01T12:00:00.000Z | 2026-11-02T00:00:00.000Z | 12h',
      'Park, Ben | Rapid Response | 2026-11-01T12:00:00.000Z | 2026-11-02T00:00:00.000Z | 12h',
      'Doe, Dana | Cardiology Consult | 2026-11-02T12:00:00.000Z | 2026-11-02T18:00:00.000Z | 6h',
      'Evans, Eli | Cardiology Consult | 2026-11-02T18:00:00.000Z | 2026-11-03T00:00:00.000Z | 6h',
      'Fox, Fay | Neonatology | 2026-11-02T05:00:00.000Z | 2026-11-03T05:00:00.000Z | 24h',
      'Nobody, Known | Hospitalist Night | 2026-11-03T00:00:00.000Z | 2026-11-03T12:00:00.000Z | 12h',
    ]);
    const first = pull.shifts[0];
    expect(first.staff).toEqual({ name: 'Lee, Anna', uniqueId: 'EPICID:R1001', backupId: '44' });
    expect(first.task).toEqual({ name: 'Hospitalist Night', uniqueId: 'HOSP-N', backupId: '7' });
    expect(first.at).toMatch(/^line \d+$/);
    expect(pull.staff).toEqual([
      {
        staff: {
          uniqueId: 'EPICID:R1001',
          backupId: '44',
          abbreviation: 'LEE',
          name: 'Lee, Anna',
          staffType: 'Attending',
        },
        name: 'Lee, Anna',
        pager: '555-0101',
        phone: '555-0201',
        email: 'alee@example.org',
      },
      {
        staff: {
          uniqueId: 'EPICID:R1002',
          backupId: '45',
          abbreviation: 'PARK',
          name: 'Park, Ben',
          staffType: 'Attending',
        },
        name: 'Park, Ben',
        pager: '555-0102',
        email: 'bpark@example.org',
      },
      {
        staff: {
          uniqueId: 'EPICID:R1003',
          backupId: '46',
          abbreviation: 'CHEN',
          name: 'Chen, Carla',
          staffType: 'Fellow',
        },
        name: 'Chen, Carla',
        phone: '555-0203',
      },
    ]);
    // The day before the window is asked for too, since its nights reach into the window.
    const asked = amion.requests.filter((u) => u.searchParams.get('Rpt') === '619tabs')[0];
    expect(Object.fromEntries(asked.searchParams)).toMatchObject({
      Day: '31',
      Month: '10',
      Year: '2026',
      Days: '3',
    });
  });

  it('reads the spring-forward week, CSV with quoted names, and asks in runs of daysPerRequest', async () => {
    const pull = await client(amion.url, { format: 'csv', daysPerRequest: 1, staffList: false }).pull(
      pullWindow('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'),
    );
    expect(rows(pull)).toEqual([
      // 19:00 EST to 07:00 EDT: 11 hours.
      'Lee, Anna | Hospitalist Night | 2026-03-08T00:00:00.000Z | 2026-03-08T11:00:00.000Z | 11h',
      // 08:00 to 08:00 across spring forward: 23 real hours.
      'Chen, Carla | ICU Attending | 2026-03-07T13:00:00.000Z | 2026-03-08T12:00:00.000Z | 23h',
      'Park, Ben | Hospitalist Day | 2026-03-08T11:00:00.000Z | 2026-03-08T23:00:00.000Z | 12h',
    ]);
    expect(pull.staff).toBeUndefined();
    expect(amion.requests.map((u) => `${u.searchParams.get('Rpt')} ${u.searchParams.get('Day')}`)).toEqual([
      '619 7',
      '619 8',
    ]);
  });

  it('keeps the password out of every message: wrong password, refused, busy, down', async () => {
    const c = client(amion.url);
    amion.faults.push({ kind: 'status', status: 401 });
    const refused = await sourceFailure(c.pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')));
    expect(refused.detail).toMatchObject({ status: 401, permanent: true });
    expect(refused.message).toContain('Lo=***');
    expect(refused.message).not.toContain('view-pw');
    // The next pull, with the server answering again, reads the schedule.
    expect(
      (await c.pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'))).shifts.length,
    ).toBeGreaterThan(0);

    amion.faults.push({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    const busy = await sourceFailure(c.pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')));
    expect(busy.detail).toEqual({ status: 429, retryAfterMs: 120_000 });

    const wrong = amionKind.create(amionKind.readOptions({ password: 'nope', url: amion.url }, () => {})!, {
      zone,
      configDir: '/tmp',
      sourceId: 'a',
    });
    const page = await sourceFailure(wrong.pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')));
    expect(page.message).toMatch(/web page, not a report; check the password/);

    const down = await sourceFailure(
      client(await deadUrl()).pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')),
    );
    expect(down.message).toMatch(/ECONNREFUSED/);
    expect(down.message).not.toContain('view-pw');
  });

  it('fails on a slow server, a truncated body and garbage, never returning a short schedule', async () => {
    const c = client(amion.url, { timeoutSeconds: 1 });
    const w = pullWindow('2026-11-01T04:00:00Z', '2026-11-03T05:00:00Z');
    amion.faults.push({ kind: 'silent' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/no complete answer .* within 1 s/);
    amion.faults.push({ kind: 'truncate' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/cut off/);
    amion.gzip = false;
    amion.faults.push({ kind: 'truncate' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/cut off/);
    amion.faults.push({
      kind: 'garbage',
      body: 'Lee, Anna\tEPICID:R1001\t44\tHospitalist Night\tHOSP-N\t7\t11-1-26\t1900\r\n',
    });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/is this an Amion report/);
    amion.faults.push({ kind: 'garbage', body: '\u0000\u0001binary' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/Amion assignments report/);
  });
});

describe('Amion report reading', () => {
  it('fails a report whose last row was cut mid-way, naming the line', () => {
    const text =
      'Assignments for 11-1-26\nField 1 - 3: Staff\nLee, Anna\tR1\t\tNight\tN\t\t11-1-26\t1900\t700\nPark, Ben\tR2\t\tDay\tD\t\t11-1-2';
    expect(() => readAmionAssignments(text, 'tabs', zone)).toThrow(/line 4 is not an assignment row/);
  });

  it('reads an empty schedule with its header as no shifts, and refuses an empty answer', () => {
    expect(readAmionAssignments('Assignments for 11-1-26\nField 1 - 3: Staff\n', 'tabs', zone)).toEqual([]);
    expect(() => readAmionAssignments('  \n', 'tabs', zone)).toThrow(/empty/);
  });

  it('reads dates and HMM times', () => {
    expect(amionDate('2-29-28')).toMatchObject({ year: 2028, month: 2, day: 29 });
    expect(amionDate('2-29-27')).toBeUndefined();
    expect([amionTime('0'), amionTime('700'), amionTime('0730'), amionTime('2400')]).toEqual([
      0, 420, 450, 1440,
    ]);
    expect([amionTime('760'), amionTime('2430'), amionTime('7:00')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reports every bad option at once', () => {
    const problems: string[] = [];
    const read = amionKind.readOptions(
      { url: 'ftp://x', format: 'xml', daysPerRequest: 0, timezone: 'Mars/Base', colour: 'red' },
      (k, m) => problems.push(`${k}: ${m}`),
    );
    expect(read).toBeUndefined();
    expect(problems).toEqual([
      'colour: is not a known option (known: password, url, format, staffList, daysPerRequest, timeoutSeconds, timezone)',
      `password: is required: write \${AMION_PASSWORD} and set AMION_PASSWORD in the environment`,
      'url: must be an http or https URL, not ftp:',
      'format: must be one of: tabs, csv',
      'daysPerRequest: must be a whole number from 1 to 366',
      'timezone: is not an IANA time zone (e.g. America/Chicago): Mars/Base',
    ]);
  });
});
