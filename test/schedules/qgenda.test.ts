/**
 * The QGenda client against a QGenda API on a real socket: login, paging of wide windows, gzip, deltas
 * with deletions, a token that stops working, and the failures that must leave the last good schedule in
 * force (refused login, 429, a body cut off, garbage, a row whose UTC and local times disagree).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QGendaClient, type QGendaOptions, qgendaKind } from '../../src/schedules/sources/qgenda.ts';
import { SourceError, type SourcePull, type SourceShift } from '../../src/schedules/sources/source.ts';
import { COMPANY, type FakeQGenda, qgendaEntry, startFakeQGenda } from '../support/scheduling/fake-qgenda.ts';
import { deadUrl } from '../support/scheduling/source-server.ts';

const zone = 'America/New_York';
const account = { email: 'scheduler@example.org', password: 'pw-Ω-secret' };
let qgenda: FakeQGenda;
let now: number;

beforeEach(async () => {
  qgenda = await startFakeQGenda(account);
  now = Date.parse('2026-01-10T12:00:00Z');
});
afterEach(async () => {
  await qgenda.close();
});

function client(overrides: Partial<QGendaOptions> = {}): QGendaClient {
  const options: QGendaOptions = {
    baseUrl: new URL(qgenda.url),
    companyKey: COMPANY,
    email: account.email,
    password: account.password,
    daysPerRequest: 100,
    fullPullEveryMinutes: 360,
    timeoutMs: 5000,
    ...overrides,
  };
  return new QGendaClient(options, { zone, configDir: '.', sourceId: 'qgenda-main' }, () => now);
}

const window = (from: string, to: string) => ({
  from: new Date(from),
  to: new Date(to),
  signal: new AbortController().signal,
});

const add = (...inputs: Parameters<typeof qgendaEntry>[0][]) => {
  for (const i of inputs) qgenda.entries.push(qgendaEntry(i, zone));
};
const ada = { key: 'S1', id: 'E1001', abbrev: 'ALV', first: 'Ada', last: 'Lovelace', npi: '1234567893' };
const ben = { key: 'S2', id: 'E1002', abbrev: 'BCA', first: 'Ben', last: 'Carson' };
const cy = { key: 'S3', id: 'E1003', abbrev: 'CYW' };
const hosp = { key: 'T1', id: 'HOSP', name: 'Hospitalist Nights' };
const cards = { key: 'T2', id: 'CARD', name: 'Cardiology Call' };
const icu = { key: 'T3', id: 'ICU', name: 'ICU Day' };

const byKey = (pull: SourcePull) => new Map(pull.shifts.map((s) => [s.sourceId, s] as [string, SourceShift]));

async function expectSourceError(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('QGenda client', () => {
  it('reads a window: overnight, 24-hour and split shifts, one person on two tasks, unknown staff', async () => {
    add(
      { key: 'K1', staff: ada, task: hosp, start: '2026-01-12 19:00', end: '2026-01-13 07:00' },
      { key: 'K2', staff: ben, task: cards, start: '2026-01-12 07:00', end: '2026-01-13 07:00' },
      { key: 'K3', staff: ada, task: icu, start: '2026-01-12 07:00', end: '2026-01-12 12:00' },
      { key: 'K4', staff: cy, task: icu, start: '2026-01-12 12:00', end: '2026-01-12 19:00', notes: 'split' },
      {
        key: 'K5',
        staff: { key: 'S99', abbrev: 'ZZZ' },
        task: cards,
        start: '2026-01-13 07:00',
        end: '2026-01-14 07:00',
      },
      { key: 'K6', staff: ben, task: hosp, start: '2026-01-13 19:00', end: '2026-01-14 07:00', struck: true },
      {
        key: 'K7',
        staff: ben,
        task: hosp,
        start: '2026-01-14 19:00',
        end: '2026-01-15 07:00',
        published: false,
      },
      // Before the window, and running into it: the overnight shift of the day before.
      { key: 'K8', staff: cy, task: hosp, start: '2026-01-11 19:00', end: '2026-01-12 07:00' },
      // Ended before the window: not the window's.
      { key: 'K9', staff: cy, task: icu, start: '2026-01-11 07:00', end: '2026-01-11 19:00' },
    );
    const pull = await client().pull(window('2026-01-12T05:00:00Z', '2026-01-16T05:00:00Z'));
    expect(pull.mode).toBe('window');
    const s = byKey(pull);
    expect([...s.keys()].sort()).toEqual(['K1', 'K2', 'K3', 'K4', 'K5', 'K7', 'K8']);
    expect(s.get('K1')).toMatchObject({
      start: new Date('2026-01-13T00:00:00Z'),
      end: new Date('2026-01-13T12:00:00Z'),
      staff: {
        StaffKey: 'S1',
        StaffId: 'E1001',
        StaffAbbrev: 'ALV',
        StaffFName: 'Ada',
        StaffNpi: '1234567893',
      },
      task: { TaskKey: 'T1', TaskId: 'HOSP', TaskName: 'Hospitalist Nights' },
      published: true,
    });
    const k2 = s.get('K2');
    expect(k2 && k2.end.getTime() - k2.start.getTime()).toBe(24 * 3600_000);
    expect(s.get('K3')?.end).toEqual(s.get('K4')?.start);
    expect(s.get('K4')?.notes).toBe('split');
    expect(s.get('K3')?.staff.StaffKey).toBe(s.get('K1')?.staff.StaffKey);
    expect(s.get('K5')?.staff).toEqual({ StaffKey: 'S99', StaffAbbrev: 'ZZZ' });
    expect(s.get('K7')?.published).toBe(false);
    // One login, one page, gzip asked for, the fields we read selected.
    expect(qgenda.logins).toBe(1);
    expect(qgenda.schedules).toHaveLength(1);
    expect(qgenda.encodings[0]).toContain('gzip');
    const q = qgenda.schedules[0].searchParams;
    expect(q.get('startDate')).toBe('01/11/2026');
    expect(q.get('endDate')).toBe('01/15/2026');
    expect(q.get('$select')).toContain('StartDateUTC');
    expect(q.get('sinceModifiedTimestamp')).toBeNull();
  });

  it('pages a window wider than 100 days, and reports progress', async () => {
    add(
      { key: 'A', staff: ada, task: hosp, start: '2026-01-20 19:00', end: '2026-01-21 07:00' },
      { key: 'B', staff: ben, task: hosp, start: '2026-05-20 19:00', end: '2026-05-21 07:00' },
      { key: 'C', staff: cy, task: hosp, start: '2026-07-20 19:00', end: '2026-07-21 07:00' },
    );
    const fetched: number[] = [];
    const pull = await client().pull({
      ...window('2026-01-12T05:00:00Z', '2026-08-01T04:00:00Z'),
      progress: (n) => fetched.push(n),
    });
    expect([...byKey(pull).keys()].sort()).toEqual(['A', 'B', 'C']);
    const ranges = qgenda.schedules.map((u) => [
      u.searchParams.get('startDate'),
      u.searchParams.get('endDate'),
    ]);
    expect(ranges).toEqual([
      ['01/11/2026', '04/20/2026'],
      ['04/21/2026', '07/29/2026'],
      ['07/30/2026', '07/31/2026'],
    ]);
    expect(fetched).toEqual([1, 3, 3]);
  });

  it('after an applied window pull, pulls deltas with deletions, then a whole window again when due', async () => {
    add(
      {
        key: 'K1',
        staff: ada,
        task: hosp,
        start: '2026-01-12 19:00',
        end: '2026-01-13 07:00',
        modified: '2026-01-09T10:00:00',
      },
      {
        key: 'K2',
        staff: ben,
        task: hosp,
        start: '2026-01-13 19:00',
        end: '2026-01-14 07:00',
        modified: '2026-01-09T11:00:00',
      },
    );
    const qg = client({ fullPullEveryMinutes: 60 });
    const w = window('2026-01-12T05:00:00Z', '2026-01-16T05:00:00Z');
    const first = await qg.pull(w);
    expect(first.mode).toBe('window');
    await qg.applied(first);

    // The sick call: K1 moves to Cy, K2 is deleted, both saved in QGenda after the last pull.
    qgenda.entries.length = 0;
    add(
      {
        key: 'K1',
        staff: cy,
        task: hosp,
        start: '2026-01-12 19:00',
        end: '2026-01-13 07:00',
        modified: '2026-01-10T12:05:00',
      },
      {
        key: 'K2',
        staff: ben,
        task: hosp,
        start: '2026-01-13 19:00',
        end: '2026-01-14 07:00',
        modified: '2026-01-10T12:06:00',
        deleted: true,
      },
    );
    now += 15 * 60_000;
    const second = await qg.pull(w);
    expect(second.mode).toBe('delta');
    if (second.mode !== 'delta') return;
    expect(second.shifts.map((s) => [s.sourceId, s.staff.StaffKey])).toEqual([['K1', 'S3']]);
    expect(second.deleted).toEqual(['K2']);
    expect(second.cursor).toBe('2026-01-10T12:06:00.000Z');
    const q = qgenda.schedules[1].searchParams;
    expect(q.get('includeDeletes')).toBe('true');
    expect(q.get('$select')).toBeNull();
    // From the last change the window pull saw, less an overlap for clocks and saves in flight.
    expect(q.get('sinceModifiedTimestamp')).toBe('2026-01-09T10:55:00.000Z');

    // Not applied (held by a guard, say): the next delta asks from the same place again.
    const again = await qg.pull(w);
    expect(qgenda.schedules[2].searchParams.get('sinceModifiedTimestamp')).toBe('2026-01-09T10:55:00.000Z');
    await qg.applied(again);
    await qg.pull(w);
    expect(qgenda.schedules[3].searchParams.get('sinceModifiedTimestamp')).toBe('2026-01-10T12:01:00.000Z');

    now += 61 * 60_000;
    expect((await qg.pull(w)).mode).toBe('window');
  });

  it('logs in again once when QGenda stops taking the token (401), then goes on', async () => {
    add({ key: 'K1', staff: ada, task: hosp, start: '2026-01-12 19:00', end: '2026-01-13 07:00' });
    const qg = client();
    const w = window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z');
    await qg.pull(w);
    qgenda.expireTokens();
    const pull = await qg.pull(w);
    expect(pull.shifts).toHaveLength(1);
    expect(qgenda.logins).toBe(2);
  });

  it('a 401 with a freshly issued token is permanent', async () => {
    qgenda.refuseAllTokens = true;
    const err = await expectSourceError(
      client().pull(window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z')),
    );
    expect(err.detail).toMatchObject({ status: 401, permanent: true });
    expect(qgenda.logins).toBe(2);
  });

  it('a refused login is permanent, and the password never appears in the message', async () => {
    const err = await expectSourceError(
      client({ password: 'wrong-pw' }).pull(window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z')),
    );
    expect(err.detail.permanent).toBe(true);
    expect(err.message).toContain('refused the login');
    expect(err.message).not.toContain('wrong-pw');
  });

  it('429 with Retry-After, 500, a body cut off, garbage, JSON that is not a list and a list cut short each fail the pull', async () => {
    add({ key: 'K1', staff: ada, task: hosp, start: '2026-01-12 19:00', end: '2026-01-13 07:00' });
    const qg = client();
    const w = window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z');
    qgenda.faults.push({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    const busy = await expectSourceError(qg.pull(w));
    expect(busy.detail).toMatchObject({ status: 429, retryAfterMs: 120_000 });
    qgenda.faults.push({ kind: 'status', status: 500 });
    expect((await expectSourceError(qg.pull(w))).detail.status).toBe(500);
    qgenda.faults.push({ kind: 'truncate' });
    expect((await expectSourceError(qg.pull(w))).message).toMatch(/cut off/);
    qgenda.faults.push({ kind: 'garbage', body: '<html>maintenance</html>' });
    expect((await expectSourceError(qg.pull(w))).message).toMatch(/not JSON \(<html>maintenance/);
    qgenda.faults.push({ kind: 'garbage', body: '{"Message":"An error has occurred."}' });
    expect((await expectSourceError(qg.pull(w))).message).toMatch(/not a list of schedule entries/);
    qgenda.faults.push({ kind: 'garbage', body: '[{"ScheduleKey":"K1"},' });
    expect((await expectSourceError(qg.pull(w))).message).toMatch(
      /not JSON.*ends before its closing bracket/,
    );
    // And the next good answer is read as ever.
    expect((await qg.pull(w)).shifts).toHaveLength(1);
  });

  it('a server that is down, or that never answers within the timeout, fails the pull', async () => {
    const down = await expectSourceError(
      client({ baseUrl: new URL(await deadUrl()) }).pull(
        window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z'),
      ),
    );
    expect(down.message).toMatch(/QGenda login/);
    const qg = client({ timeoutMs: 300 });
    qgenda.faults.push({ kind: 'silent' });
    const slow = await expectSourceError(qg.pull(window('2026-01-12T05:00:00Z', '2026-01-14T05:00:00Z')));
    expect(slow.message).toMatch(/no complete answer .* within 0.3 s/);
  });

  it('refuses a row whose UTC and local times disagree, naming it, rather than guessing', async () => {
    add({ key: 'K1', staff: ada, task: hosp, start: '2026-01-12 19:00', end: '2026-01-13 07:00' });
    const bad = qgendaEntry(
      { key: 'K2', staff: ben, task: hosp, start: '2026-01-13 19:00', end: '2026-01-14 07:00' },
      zone,
    );
    bad.StartTime = '18:00:00';
    qgenda.entries.push(bad);
    const err = await expectSourceError(
      client().pull(window('2026-01-12T05:00:00Z', '2026-01-16T05:00:00Z')),
    );
    expect(err.message).toContain('ScheduleKey K2');
    expect(err.message).toContain('2026-01-13 19:00');
    expect(err.message).toContain('18:00');
  });

  it("reads an entry's local times in its location's zone, named by IANA or Windows id", async () => {
    const la = (key: string, timeZone: string) => {
      const e = qgendaEntry(
        { key, staff: ada, task: hosp, start: '2026-01-12 19:00', end: '2026-01-13 07:00' },
        'America/Los_Angeles',
      );
      e.TimeZone = timeZone;
      return e;
    };
    qgenda.entries.push(la('W1', 'Pacific Standard Time'), la('W2', 'America/Los_Angeles'));
    const s = byKey(await client().pull(window('2026-01-12T05:00:00Z', '2026-01-16T05:00:00Z')));
    expect(s.get('W1')?.start).toEqual(new Date('2026-01-13T03:00:00Z'));
    expect(s.get('W2')?.start).toEqual(new Date('2026-01-13T03:00:00Z'));
    // An id we cannot place leaves the site's zone, where these local times disagree with the UTC ones.
    qgenda.entries.push(la('W3', 'Mars Standard Time'));
    expect(
      (await expectSourceError(client().pull(window('2026-01-12T05:00:00Z', '2026-01-16T05:00:00Z'))))
        .message,
    ).toContain('ScheduleKey W3');
  });

  it('DST week: handoffs at 07:00 and 19:00 local across spring forward and fall back', async () => {
    add(
      // Spring forward, Sunday 2026-03-08 02:00 EST -> 03:00 EDT: the night is 11 hours.
      { key: 'SP1', staff: ada, task: hosp, start: '2026-03-07 19:00', end: '2026-03-08 07:00' },
      { key: 'SP2', staff: ben, task: hosp, start: '2026-03-08 07:00', end: '2026-03-08 19:00' },
      // Fall back, Sunday 2026-11-01 02:00 EDT -> 01:00 EST: the night is 13 hours.
      { key: 'FB1', staff: ada, task: hosp, start: '2026-10-31 19:00', end: '2026-11-01 07:00' },
      { key: 'FB2', staff: ben, task: hosp, start: '2026-11-01 07:00', end: '2026-11-01 19:00' },
    );
    const spring = byKey(await client().pull(window('2026-03-07T05:00:00Z', '2026-03-09T04:00:00Z')));
    expect(spring.get('SP1')).toMatchObject({
      start: new Date('2026-03-08T00:00:00Z'),
      end: new Date('2026-03-08T11:00:00Z'),
    });
    expect(spring.get('SP2')?.start).toEqual(new Date('2026-03-08T11:00:00Z'));
    const fall = byKey(await client().pull(window('2026-10-31T04:00:00Z', '2026-11-02T05:00:00Z')));
    expect(fall.get('FB1')).toMatchObject({
      start: new Date('2026-10-31T23:00:00Z'),
      end: new Date('2026-11-01T12:00:00Z'),
    });
    expect(fall.get('FB2')?.start).toEqual(new Date('2026-11-01T12:00:00Z'));
  });
});

describe('QGenda options', () => {
  it('reads options with defaults and reports every bad key', () => {
    const problems: string[] = [];
    const report = (key: string, message: string) => problems.push(`${key}: ${message}`);
    const ok = qgendaKind.readOptions({ companyKey: COMPANY, email: 'a@b.org', password: 'x' }, report);
    expect(ok).toMatchObject({ daysPerRequest: 100, fullPullEveryMinutes: 360, timeoutMs: 30_000 });
    expect(ok?.baseUrl.toString()).toBe('https://api.qgenda.com/');
    expect(problems).toEqual([]);
    const bad = qgendaKind.readOptions({ daysPerRequest: 200, baseUrl: 'ftp://x', pasword: 'x' }, report);
    expect(bad).toBeUndefined();
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['baseUrl', 'companyKey', 'daysPerRequest', 'email', 'password', 'pasword'].sort(),
    );
  });
});
