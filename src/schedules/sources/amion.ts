/**
 * Amion (TigerConnect Physician Scheduling): the `ocs` data reports. `Rpt=619` lists assignments, one
 * row per person per assignment per day (CSV, or tab-separated as `619tabs`); `Rpt=706` lists the staff,
 * for the crosswalk. The `Lo=` value is the schedule's view password and is the credential: it comes from
 * the environment and is redacted from every message. Amion asks clients to cache its answers for at
 * least five minutes, so the client tells the engine never to pull more often.
 *
 * Report layout, as Amion documents it: a few header lines ("Assignments for 6-20-18 (as of …)" and
 * "Field N - M: …" lines), then rows of staff name, staff unique id, staff backup id, assignment name,
 * assignment unique id, assignment backup id, date (M-D-YY), start and end (HMM or HHMM, local time),
 * and sometimes more columns, which are ignored.
 */
import type { LocalDay } from '../local-time.ts';
import { readAmionAssignments, readAmionStaff } from './amion-report.ts';
import type { PullRequest, ScheduleSourceClient, SourceContext, SourceKind, SourcePull } from './source.ts';
import { daysCovering, overlapping, runsOf } from './source-days.ts';
import { sourceGet } from './source-http.ts';
import { SourceOptions } from './source-options.ts';

export interface AmionOptions {
  /** The schedule's view password (Lo=), from `${AMION_PASSWORD}`. */
  password: string;
  /** @defaultValue https://www.amion.com/cgi-bin/ocs */
  url: URL;
  /** 'tabs' asks for `619tabs` (names with commas need no quoting); 'csv' for `619`. @defaultValue 'tabs' */
  format: 'tabs' | 'csv';
  /** Also read the staff list (Rpt=706) for the crosswalk report. @defaultValue true */
  staffList: boolean;
  /** Days asked for in one request; a wider window is asked in runs. @defaultValue 31 */
  daysPerRequest: number;
  /** @defaultValue 30 */
  timeoutSeconds: number;
  /** The zone the schedule's times are written in, when it is not the site's. */
  timezone?: string;
}

const defaultUrl = 'https://www.amion.com/cgi-bin/ocs';
const fiveMinutes = 5 * 60_000;

export const amionKind: SourceKind<AmionOptions> = {
  kind: 'amion',
  readOptions(options, report) {
    const o = new SourceOptions(options, report, [
      'password',
      'url',
      'format',
      'staffList',
      'daysPerRequest',
      'timeoutSeconds',
      'timezone',
    ]);
    const password = o.secret('password', 'AMION_PASSWORD');
    const url = o.url('url', defaultUrl);
    const format = o.oneOf('format', ['tabs', 'csv'] as const, 'tabs');
    const staffList = o.flag('staffList', true);
    const daysPerRequest = o.whole('daysPerRequest', 1, 366, 31);
    const timeoutSeconds = o.whole('timeoutSeconds', 1, 600, 30);
    const timezone = o.zone('timezone');
    if (o.failed || password === undefined) return undefined;
    return {
      password,
      url,
      format,
      staffList,
      daysPerRequest,
      timeoutSeconds,
      ...(timezone ? { timezone } : {}),
    };
  },
  create: (options, context) => new AmionClient(options, context),
};

export class AmionClient implements ScheduleSourceClient {
  readonly kind = 'amion';
  readonly minIntervalMs = fiveMinutes;
  private readonly zone: string;

  constructor(
    private readonly options: AmionOptions,
    context: SourceContext,
  ) {
    this.zone = options.timezone ?? context.zone;
  }

  async pull(request: PullRequest): Promise<SourcePull> {
    // Rows are listed under the day they start; no Amion shift is longer than 24 hours.
    const days = daysCovering(request.from, request.to, this.zone, 1);
    const report = this.options.format === 'tabs' ? '619tabs' : '619';
    const shifts = [];
    for (const run of runsOf(days, this.options.daysPerRequest)) {
      const text = await this.get(
        this.reportUrl(report, run),
        'the Amion assignments report',
        request.signal,
      );
      const wanted = new Set(run.map((d) => d.ordinal));
      const rows = readAmionAssignments(text, this.options.format, this.zone);
      shifts.push(...rows.filter((r) => wanted.has(r.day.ordinal)).map((r) => r.shift));
      request.progress?.(shifts.length);
    }
    const staff = this.options.staffList
      ? readAmionStaff(await this.get(this.reportUrl('706'), 'the Amion staff list', request.signal))
      : undefined;
    return {
      mode: 'window',
      from: request.from,
      to: request.to,
      shifts: overlapping(shifts, request.from, request.to),
      ...(staff ? { staff } : {}),
    };
  }

  private reportUrl(report: string, run?: LocalDay[]): URL {
    const url = new URL(this.options.url);
    url.searchParams.set('Lo', this.options.password);
    url.searchParams.set('Rpt', report);
    if (run && run.length > 0) {
      url.searchParams.set('Day', String(run[0].day));
      url.searchParams.set('Month', String(run[0].month));
      url.searchParams.set('Year', String(run[0].year));
      url.searchParams.set('Days', String(run.length));
    }
    return url;
  }

  private async get(url: URL, what: string, signal: AbortSignal): Promise<string> {
    const answer = await sourceGet({
      url,
      what,
      signal,
      timeoutMs: this.options.timeoutSeconds * 1000,
      secrets: [this.options.password],
    });
    return answer.text;
  }
}
