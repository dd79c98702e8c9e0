/**
 * Amion's `ocs` data reports on a local socket: Rpt=619 (CSV) and 619tabs (TSV) for the days asked
 * (Day, Month, Year, Days), Rpt=706 for the staff list, the Lo= password checked. The schedule is a
 * fixture written as Amion writes 619tabs rows.
 */
import { readFileSync } from 'node:fs';
import { type SourceServer, startSourceServer } from './source-server.ts';

export interface FakeAmion extends SourceServer {
  /** Rows (tab-separated fields) served; tests may change them between pulls. */
  rows: string[][];
}

export async function startFakeAmion(options: {
  password: string;
  /** Path of a 619tabs fixture (header lines are dropped: the fake writes its own). */
  schedule: string;
  staff?: string;
}): Promise<FakeAmion> {
  const rows = readFileSync(options.schedule, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t'));
  const staff = options.staff ? readFileSync(options.staff, 'utf8') : '';
  const fake = (await startSourceServer((url) => {
    if (url.searchParams.get('Lo') !== options.password) {
      return {
        body: '<html><body>Unknown schedule or password</body></html>',
        headers: { 'content-type': 'text/html' },
      };
    }
    const rpt = url.searchParams.get('Rpt');
    if (rpt === '706') return { body: staff, headers: { 'content-type': 'text/plain' } };
    if (rpt !== '619' && rpt !== '619tabs') return { status: 400, body: 'unknown report' };
    const first = Date.UTC(
      Number(url.searchParams.get('Year')),
      Number(url.searchParams.get('Month')) - 1,
      Number(url.searchParams.get('Day')),
    );
    const last = first + (Number(url.searchParams.get('Days') ?? '1') - 1) * 86_400_000;
    const inRange = fake.rows.filter((r) => {
      const [m, d, y] = r[6].split('-').map(Number);
      const at = Date.UTC(2000 + y, m - 1, d);
      return at >= first && at <= last;
    });
    const header = [
      [
        `Assignments for ${url.searchParams.get('Month')}-${url.searchParams.get('Day')}-26 (as of 10-30-26 16:05)`,
      ],
      ['Field 1 - 3: Staff name', ' unique ID', ' backup ID'],
      ['Field 4 - 6: Assignment name', ' unique ID', ' backup ID'],
      ['Field 7 - 9: Date', ' start time', ' end time'],
    ];
    const lines = [...header, ...inRange];
    const body =
      rpt === '619tabs'
        ? lines.map((l) => l.join('\t')).join('\r\n')
        : lines
            .map((l) => l.map((f) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
            .join('\r\n');
    return { body: `${body}\r\n`, headers: { 'content-type': 'text/plain' } };
  })) as FakeAmion;
  fake.rows = rows;
  return fake;
}
