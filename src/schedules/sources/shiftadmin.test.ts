import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeShiftAdmin,
  startFakeShiftAdmin,
} from '../../../test/support/scheduling/fake-shiftadmin.ts';
import { pullWindow, sourceFailure } from '../../../test/support/scheduling/pulls.ts';
import { deadUrl } from '../../../test/support/scheduling/source-server.ts';
import { shiftAdminKind } from './shiftadmin.ts';
import { readShiftAdminReport } from './shiftadmin-report.ts';
import type { SourcePull } from './source.ts';

const fixtures = new URL('../../../test/fixtures/schedules/', import.meta.url).pathname;
const zone = 'America/New_York';
const apiKey = 'sa-key/+=secret';

function client(url: string, extra: Record<string, unknown> = {}) {
  const problems: string[] = [];
  const options = shiftAdminKind.readOptions({ apiKey, url, timeoutSeconds: 2, ...extra }, (k, m) =>
    problems.push(`${k} ${m}`),
  );
  expect(problems).toEqual([]);
  return shiftAdminKind.create(options!, { zone, configDir: '/tmp', sourceId: 'shiftadmin-em' });
}

function rows(pull: SourcePull) {
  return pull.shifts.map(
    (s) =>
      `${s.staff.lastName} | ${s.task.shiftShortName} | ${s.start.toISOString()} | ${s.end.toISOString()} | ${(s.end.getTime() - s.start.getTime()) / 3_600_000}h`,
  );
}

describe('ShiftAdmin client against a local scheduled-shifts endpoint', () => {
  let sa: FakeShiftAdmin;
  beforeEach(async () => {
    sa = await startFakeShiftAdmin({ apiKey, entries: `${fixtures}shiftadmin-shifts.json` });
  });
  afterEach(() => sa.close());

  it('reads the fall-back week: the night across the change lasts 13 hours, 24-hour shift 25', async () => {
    const pull = await client(sa.url).pull(pullWindow('2026-11-01T04:00:00Z', '2026-11-03T05:00:00Z'));
    expect(rows(pull)).toEqual([
      'Grant | EM Night | 2026-10-31T23:00:00.000Z | 2026-11-01T12:00:00.000Z | 13h',
      'Irving | EM 24 | 2026-10-31T12:00:00.000Z | 2026-11-01T13:00:00.000Z | 25h',
      'Hughes | EM Day | 2026-11-01T12:00:00.000Z | 2026-11-02T00:00:00.000Z | 12h',
      // The same person on two assignments at once.
      'Hughes | Trauma Backup | 2026-11-01T12:00:00.000Z | 2026-11-02T00:00:00.000Z | 12h',
      // A split shift: one slot, two people one after the other.
      'Jones | EM Swing | 2026-11-02T12:00:00.000Z | 2026-11-02T18:00:00.000Z | 6h',
      'Kato | EM Swing | 2026-11-02T18:00:00.000Z | 2026-11-03T00:00:00.000Z | 6h',
      'Locum | EM Night | 2026-11-03T00:00:00.000Z | 2026-11-03T12:00:00.000Z | 12h',
    ]);
    expect(pull.shifts[0].staff).toEqual({
      userID: '501',
      employeeID: 'E501',
      nPI: '1234567893',
      firstName: 'Gail',
      lastName: 'Grant',
    });
    expect(pull.shifts[0].task).toEqual({
      shiftID: '71',
      shiftShortName: 'EM Night',
      groupID: '3',
      groupShortName: 'EM',
      facilityID: '1',
      facilityExtID: 'MAIN',
      facilityAbbreviation: 'MH',
    });
    expect(pull.staff?.map((s) => s.name)).toEqual([
      'Gail Grant',
      'Ida Irving',
      'Hal Hughes',
      'Jo Jones',
      'Kim Kato',
      'Unknown Locum',
    ]);
    expect(Object.fromEntries(sa.requests[0].searchParams)).toEqual({
      validationKey: apiKey,
      type: 'json',
      sd: '2026-10-31',
      ed: '2026-11-03',
    });
  });

  it('reads the spring-forward week in runs of one day, with a group', async () => {
    const pull = await client(sa.url, { daysPerRequest: 1, groupId: '3' }).pull(
      pullWindow('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'),
    );
    expect(rows(pull)).toEqual([
      'Grant | EM Night | 2026-03-08T00:00:00.000Z | 2026-03-08T11:00:00.000Z | 11h',
      'Hughes | EM Day | 2026-03-08T11:00:00.000Z | 2026-03-08T23:00:00.000Z | 12h',
    ]);
    expect(
      sa.requests.map(
        (u) => `${u.searchParams.get('sd')}..${u.searchParams.get('ed')} gid ${u.searchParams.get('gid')}`,
      ),
    ).toEqual(['2026-03-07..2026-03-08 gid 3', '2026-03-08..2026-03-09 gid 3']);
  });

  it('fails on a refused key, 401, 503 with a Retry-After date, a server down, slow, cut off or answering garbage', async () => {
    const w = pullWindow('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z');
    const wrongKey = shiftAdminKind.create(
      shiftAdminKind.readOptions({ apiKey: 'nope', url: sa.url }, () => {})!,
      {
        zone,
        configDir: '/tmp',
        sourceId: 's',
      },
    );
    expect((await sourceFailure(wrongKey.pull(w))).message).toMatch(/status "error": Invalid validation key/);

    const c = client(sa.url, { timeoutSeconds: 1 });
    sa.faults.push({ kind: 'status', status: 401 });
    const refused = await sourceFailure(c.pull(w));
    expect(refused.detail).toMatchObject({ status: 401, permanent: true });
    expect(refused.message).toContain('validationKey=***');
    expect(refused.message).not.toContain('secret');

    sa.faults.push({
      kind: 'status',
      status: 503,
      headers: { 'retry-after': new Date(Date.now() + 90_000).toUTCString() },
    });
    const busy = await sourceFailure(c.pull(w));
    expect(busy.detail.status).toBe(503);
    expect(busy.detail.retryAfterMs).toBeGreaterThan(0);

    sa.faults.push({ kind: 'silent' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/no complete answer/);
    sa.faults.push({ kind: 'truncate' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/cut off/);
    sa.faults.push({ kind: 'garbage', body: '<html>Maintenance</html>', contentType: 'text/html' });
    expect((await sourceFailure(c.pull(w))).message).toMatch(/not JSON.*begins "<html>Maintenance/);

    const down = await sourceFailure(client(await deadUrl()).pull(w));
    expect(down.message).toMatch(/ECONNREFUSED/);
    expect(down.message).not.toContain('secret');
  });
});

describe('ShiftAdmin report reading', () => {
  it('fails the whole report on one unreadable entry, naming it', () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        scheduledShifts: [
          { userID: 1, shiftID: 2, shiftStart: '2026-11-01 07:00:00', shiftEnd: '2026-11-01 19:00:00' },
          { userID: 1, shiftID: 2, shiftStart: '2026-11-02 07:00:00' },
        ],
      },
    });
    expect(() => readShiftAdminReport(body, zone)).toThrow(/entry 2 has no readable shiftEnd/);
    expect(() => readShiftAdminReport('{"status":"success","data":{}}', zone)).toThrow(
      /no data.scheduledShifts/,
    );
    expect(() =>
      readShiftAdminReport('{"status":"success","data":{"scheduledShifts":[{"shiftID":1,', zone),
    ).toThrow(/not JSON/);
  });

  it('reads an end in the repeated hour as the one after the start, and times with an offset as given', () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        scheduledShifts: [
          { userID: 1, shiftID: 2, shiftStart: '2026-11-01 01:15:00', shiftEnd: '2026-11-01 01:45:00' },
          {
            userID: 1,
            shiftID: 3,
            shiftStart: '2026-11-01T01:15:00-05:00',
            shiftEnd: '2026-11-01T02:00:00-05:00',
          },
        ],
      },
    });
    const [first, second] = readShiftAdminReport(body, zone).map((e) => e.shift);
    expect([first.start.toISOString(), first.end.toISOString()]).toEqual([
      '2026-11-01T05:15:00.000Z',
      '2026-11-01T05:45:00.000Z',
    ]);
    expect([second.start.toISOString(), second.end.toISOString()]).toEqual([
      '2026-11-01T06:15:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('reports every bad option at once', () => {
    const problems: string[] = [];
    expect(
      shiftAdminKind.readOptions({ url: 'nope', groupId: 3, daysPerRequest: 'x' }, (k, m) =>
        problems.push(`${k}: ${m}`),
      ),
    ).toBeUndefined();
    expect(problems.map((p) => p.split(':')[0])).toEqual(['apiKey', 'url', 'groupId', 'daysPerRequest']);
  });
});
