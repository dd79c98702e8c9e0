/**
 * ShiftAdmin: the scheduled-shifts report as JSON (`api_get_scheduled_shifts.php?validationKey=…&type=json
 * &sd=YYYY-MM-DD&ed=YYYY-MM-DD[&gid=N]`). No vendor document is public; the layout is the one the
 * integrations in the wild agree on: `{"status":"success","data":{"scheduledShifts":[…]}}`, each entry
 * with the user (userID, employeeID, nPI, names), the shift (shiftID, shiftShortName), group and facility,
 * and shiftStart/shiftEnd as local date-times. A failure is `status` other than success with a `message`.
 * The validationKey is the credential and travels in the URL, so it is redacted from every message.
 *
 * The report does not page; a wide window is asked in runs of `daysPerRequest` days.
 */
import { readShiftAdminReport } from './shiftadmin-report.ts';
import type {
  PullRequest,
  ScheduleSourceClient,
  SourceContext,
  SourceKind,
  SourcePull,
  SourceShift,
} from './source.ts';
import { addDays, daysCovering, isoDate, overlapping, runsOf } from './source-days.ts';
import { sourceGet } from './source-http.ts';
import { SourceOptions } from './source-options.ts';

export interface ShiftAdminOptions {
  /** The validationKey, from `${SHIFTADMIN_API_KEY}`. */
  apiKey: string;
  /** @defaultValue https://www.shiftadmin.com/api_get_scheduled_shifts.php */
  url: URL;
  /** Only this scheduling group (gid). */
  groupId?: string;
  /** @defaultValue 31 */
  daysPerRequest: number;
  /** @defaultValue 30 */
  timeoutSeconds: number;
  /** The zone shiftStart/shiftEnd are written in, when it is not the site's. */
  timezone?: string;
}

const defaultUrl = 'https://www.shiftadmin.com/api_get_scheduled_shifts.php';

export const shiftAdminKind: SourceKind<ShiftAdminOptions> = {
  kind: 'shiftadmin',
  readOptions(options, report) {
    const o = new SourceOptions(options, report, [
      'apiKey',
      'url',
      'groupId',
      'daysPerRequest',
      'timeoutSeconds',
      'timezone',
    ]);
    const apiKey = o.secret('apiKey', 'SHIFTADMIN_API_KEY');
    const url = o.url('url', defaultUrl);
    const groupId = o.text('groupId', false);
    const daysPerRequest = o.whole('daysPerRequest', 1, 366, 31);
    const timeoutSeconds = o.whole('timeoutSeconds', 1, 600, 30);
    const timezone = o.zone('timezone');
    if (o.failed || apiKey === undefined) return undefined;
    return {
      apiKey,
      url,
      daysPerRequest,
      timeoutSeconds,
      ...(groupId ? { groupId } : {}),
      ...(timezone ? { timezone } : {}),
    };
  },
  create: (options, context) => new ShiftAdminClient(options, context),
};

export class ShiftAdminClient implements ScheduleSourceClient {
  readonly kind = 'shiftadmin';
  private readonly zone: string;

  constructor(
    private readonly options: ShiftAdminOptions,
    context: SourceContext,
  ) {
    this.zone = options.timezone ?? context.zone;
  }

  async pull(request: PullRequest): Promise<SourcePull> {
    // Entries are listed under the day they start: the day before holds the night that reaches the window.
    const days = daysCovering(request.from, request.to, this.zone, 1);
    const shifts: SourceShift[] = [];
    const seen = new Set<string>();
    const staff = new Map<string, { staff: Record<string, string>; name?: string }>();
    for (const run of runsOf(days, this.options.daysPerRequest)) {
      const url = new URL(this.options.url);
      url.searchParams.set('validationKey', this.options.apiKey);
      url.searchParams.set('type', 'json');
      url.searchParams.set('sd', isoDate(run[0]));
      // One day past the run: whether `ed` is inclusive is not documented, and a day too many is only
      // filtered out (and a shift in two answers kept once) where a day too few would read as empty.
      url.searchParams.set('ed', isoDate(addDays(run[run.length - 1], 1)));
      if (this.options.groupId) url.searchParams.set('gid', this.options.groupId);
      const answer = await sourceGet({
        url,
        what: 'the ShiftAdmin scheduled shifts',
        signal: request.signal,
        timeoutMs: this.options.timeoutSeconds * 1000,
        secrets: [this.options.apiKey],
      });
      const report = readShiftAdminReport(answer.text, this.zone);
      for (const entry of report) {
        // A shift that spans two runs' dates may come in both answers.
        const key = JSON.stringify([entry.shift.staff, entry.shift.task, entry.shift.start, entry.shift.end]);
        if (seen.has(key)) continue;
        seen.add(key);
        shifts.push(entry.shift);
        const id = entry.shift.staff.userID;
        if (id && !staff.has(id))
          staff.set(id, { staff: entry.shift.staff, ...(entry.name ? { name: entry.name } : {}) });
      }
      request.progress?.(shifts.length);
    }
    return {
      mode: 'window',
      from: request.from,
      to: request.to,
      shifts: overlapping(shifts, request.from, request.to),
      staff: [...staff.values()],
    };
  }
}
