import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceFailure } from '../../../test/support/scheduling/pulls.ts';
import { CsvDropClient, type CsvDropOptions, csvDropKind } from './csv-drop.ts';
import type { PullRequest, SourcePull } from './source.ts';

const fixtures = new URL('../../../test/fixtures/schedules/', import.meta.url).pathname;
const zone = 'America/New_York';
const context = { zone, configDir: '/nonexistent', sourceId: 'drop' };
const request: PullRequest = { from: new Date(0), to: new Date(0), signal: new AbortController().signal };

function options(extra: Record<string, unknown>): CsvDropOptions {
  const problems: string[] = [];
  const read = csvDropKind.readOptions({ settleSeconds: 0, ...extra }, (k, m) => problems.push(`${k}: ${m}`));
  expect(problems).toEqual([]);
  return read!;
}

function rows(pull: SourcePull) {
  return pull.shifts.map(
    (s) =>
      `${JSON.stringify(s.staff)} ${JSON.stringify(s.task)} ${s.start.toISOString()} ${(s.end.getTime() - s.start.getTime()) / 3_600_000}h${s.published === false ? ' draft' : ''}${s.notes ? ` "${s.notes}"` : ''}`,
  );
}

describe('CSV drop from a folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csv-drop-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file in the config CSV layout as a window over its shifts, and moves it aside only once applied', async () => {
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(dir, 'week-45.csv'));
    writeFileSync(join(dir, 'notes.txt'), 'not a schedule');
    const client = csvDropKind.create(options({ folder: dir }), context);
    const pull = await client.pull(request);
    expect(pull.mode).toBe('window');
    if (pull.mode !== 'window') return;
    expect([pull.from.toISOString(), pull.to.toISOString()]).toEqual([
      '2026-10-31T23:00:00.000Z',
      '2026-11-03T00:00:00.000Z',
    ]);
    expect(rows(pull)).toEqual([
      // 19:00 EDT to 07:00 EST across the fall-back change: 13 hours.
      '{"person":"dr-lee"} {"assignment":"hospitalist-oncall","call_order":"1"} 2026-10-31T23:00:00.000Z 13h',
      '{"person":"dr-park"} {"assignment":"hospitalist-oncall","call_order":"1"} 2026-11-01T12:00:00.000Z 12h',
      '{"person":"dr-kim"} {"assignment":"hospitalist-oncall","call_order":"2"} 2026-11-01T12:00:00.000Z 12h "backup, pager only"',
      '{"person":"dr-park"} {"assignment":"rapid-response","call_order":"1"} 2026-11-01T12:00:00.000Z 12h',
      '{"person":"dr-doe"} {"assignment":"cardiology-consult","call_order":"1"} 2026-11-02T12:00:00.000Z 6h "split"',
      '{"person":"dr-evans"} {"assignment":"cardiology-consult","call_order":"1"} 2026-11-02T18:00:00.000Z 6h draft "split"',
    ]);
    expect(pull.shifts[0].at).toBe('line 2');
    // Not applied yet (say the mass-delete guard held it): the file stays, and the next pull reads it again.
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'week-45.csv']);
    const again = await client.pull(request);
    expect(again.shifts).toHaveLength(6);
    await client.applied?.(again);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'processed']);
    expect(readdirSync(join(dir, 'processed'))).toEqual([
      expect.stringMatching(/^\d{8}T\d{6}\.\d{3}Z-week-45\.csv$/),
    ]);
    await client.applied?.(pull); // the same file again: nothing left to move
    expect(await client.pull(request)).toEqual({ mode: 'delta', shifts: [], deleted: [] });
  });

  it("reads a site's own export through a column mapping: date and HHmm times, the DST weeks", async () => {
    copyFileSync(`${fixtures}csv-drop-mapped.csv`, join(dir, 'export.CSV'));
    const client = csvDropKind.create(
      options({
        folder: dir,
        columns: {
          staff: 'Provider ID',
          task: 'Service',
          date: 'Shift Date',
          start: 'Begin',
          end: 'Finish',
          callOrder: 'Role',
        },
        dateFormat: 'MM/dd/yyyy',
        timeFormat: 'HHmm',
      }),
      context,
    );
    expect(rows(await client.pull(request))).toEqual([
      '{"Provider ID":"R1001"} {"Service":"ICU Night","Role":"1"} 2026-03-08T00:00:00.000Z 11h',
      '{"Provider ID":"R1003"} {"Service":"ICU 24","Role":"1"} 2026-03-07T13:00:00.000Z 23h',
      '{"Provider ID":"R1002"} {"Service":"ICU Day","Role":"1"} 2026-03-08T11:00:00.000Z 12h',
      '{"Provider ID":"R1001"} {"Service":"ICU Night","Role":"1"} 2026-10-31T23:00:00.000Z 13h',
      '{"Provider ID":"R1003"} {"Service":"ICU 24","Role":"1"} 2026-10-31T12:00:00.000Z 25h',
      // An unfilled slot: no staff, which the engine reports as a gap rather than guessing.
      '{} {"Service":"ICU Day","Role":"1"} 2026-11-01T12:00:00.000Z 12h',
    ]);
  });

  it('rejects a truncated or malformed file: the pull fails, the file goes to rejected/ with the reason beside it', async () => {
    const text = readFileSync(`${fixtures}csv-drop-fall-back.csv`, 'utf8');
    writeFileSync(join(dir, 'cut.csv'), text.slice(0, text.indexOf('dr-evans') + 12));
    const client = csvDropKind.create(options({ folder: dir }), context);
    const cut = await sourceFailure(client.pull(request));
    expect(cut.message).toMatch(
      /^cut\.csv: rejected, moved to rejected\/\d{8}T\d{6}\.\d{3}Z-cut\.csv: line 7: has 3 fields; the header has 7/,
    );
    const rejected = readdirSync(join(dir, 'rejected')).sort();
    expect(rejected).toEqual([
      expect.stringMatching(/-cut\.csv$/),
      expect.stringMatching(/-cut\.csv\.reason\.txt$/),
    ]);
    expect(readFileSync(join(dir, 'rejected', rejected[1]), 'utf8')).toMatch(/line 7: has 3 fields/);

    writeFileSync(
      join(dir, 'bad.csv'),
      'assignment,person,start,end\nicu,dr-a,2026-11-01 7am,2026-11-01 19:00\n,dr-b,2026-11-01 07:00,2026-11-01 06:00\n',
    );
    const bad = await sourceFailure(client.pull(request));
    expect(bad.message).toContain(
      'line 2, start: "2026-11-01 7am" is not a date and time (YYYY-MM-DD HH:mm)',
    );
    expect(bad.message).toContain('line 3, assignment: is empty');
    expect(bad.message).toContain('line 3, end: must be after the start');
    writeFileSync(join(dir, 'headless.csv'), 'icu,dr-a,2026-11-01 07:00,2026-11-01 19:00\n');
    expect((await sourceFailure(client.pull(request))).message).toMatch(
      /the header has no column "assignment"/,
    );
    expect(readdirSync(dir)).toEqual(['rejected']);
  });

  it('leaves a file that is still being written until it has settled, oldest first', async () => {
    let now = Date.parse('2026-11-01T12:00:00Z');
    const client = new CsvDropClient(options({ folder: dir, settleSeconds: 60 }), context, () => now);
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(dir, 'b.csv'));
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(dir, 'a.csv'));
    utimesSync(join(dir, 'b.csv'), new Date(now - 120_000), new Date(now - 120_000));
    utimesSync(join(dir, 'a.csv'), new Date(now - 10_000), new Date(now - 10_000));
    const first = await client.pull(request);
    await client.applied?.(first);
    expect(existsSync(join(dir, 'a.csv'))).toBe(true);
    expect(existsSync(join(dir, 'b.csv'))).toBe(false);
    expect(await client.pull(request)).toEqual({ mode: 'delta', shifts: [], deleted: [] });
    now += 60_000;
    await client.applied?.(await client.pull(request));
    expect(readdirSync(dir)).toEqual(['processed']);
  });

  it('leaves a file replaced after it was read (a new version under the same name) for the next pull', async () => {
    copyFileSync(`${fixtures}csv-drop-fall-back.csv`, join(dir, 'week.csv'));
    const client = csvDropKind.create(options({ folder: dir }), context);
    const pull = await client.pull(request);
    const newer = readFileSync(`${fixtures}csv-drop-fall-back.csv`, 'utf8').replace('dr-kim', 'dr-lee');
    writeFileSync(
      join(dir, 'week.csv'),
      `${newer}hospitalist-oncall,dr-kim,2026-11-02 07:00,2026-11-02 19:00,1,,true\n`,
    );
    await client.applied?.(pull);
    expect(readdirSync(dir)).toEqual(['week.csv']);
    const next = await client.pull(request);
    expect(next.shifts.map((s) => s.staff.person)).toContain('dr-kim');
    await client.applied?.(next);
    expect(readdirSync(dir)).toEqual(['processed']);
  });

  it('fails, changing nothing, when the folder is missing', async () => {
    const client = csvDropKind.create(options({ folder: join(dir, 'nope') }), context);
    expect((await sourceFailure(client.pull(request))).message).toMatch(/ENOENT/);
  });

  it('reports every bad option at once', () => {
    const problems: string[] = [];
    const read = csvDropKind.readOptions(
      {
        folder: 'drops',
        sftp: { host: 'h', username: 'u', hostKey: 'AAAA', port: 0, colour: 1 },
        columns: { staff: 'id', shift: 'x' },
        settleSeconds: -1,
      },
      (k, m) => problems.push(`${k}: ${m}`),
    );
    expect(read).toBeUndefined();
    expect(problems.map((p) => p.replace(/ \(known: .*\)/, ''))).toEqual([
      'sftp.colour: is not a known option',
      'sftp.port: must be a whole number from 1 to 65535',
      'sftp.password: give password or privateKey (from the environment)',
      "sftp.hostKey: must be the server's SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:…)",
      'settleSeconds: must be a whole number from 0 to 86400',
      'columns.shift: is not a known option',
    ]);
    const neither: string[] = [];
    expect(csvDropKind.readOptions({}, (k, m) => neither.push(`${k}: ${m}`))).toBeUndefined();
    expect(neither).toEqual([
      'folder: give either folder (on this machine) or sftp (on a server), not both or neither',
    ]);
  });
});
