/**
 * An iCalendar feed as a schedule source: a department that keeps its call schedule in a shared calendar
 * (Outlook, Google, a rota tool's .ics export) publishes it at a URL or drops it in a file. Each pull
 * reads the whole feed and answers the window's shifts (ical-events.ts); an unreadable feed fails the
 * pull, so the last good schedule stays in force.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ICalendarError, type ICalField, type ICalReading, readCalendar } from './ical-events.ts';
import type { PullRequest, ScheduleSourceClient, SourceContext, SourceKind, SourcePull } from './source.ts';
import { SourceError } from './source.ts';
import { sourceGet } from './source-http.ts';
import { SourceOptions } from './source-options.ts';

export interface ICalOptions {
  /** The feed's address (webcal:// is read as https://); a token in it is kept out of messages. */
  url?: URL;
  /** Or a file, relative to the config folder. */
  file?: string;
  task: ICalField;
  person: ICalField;
  unpublishedWhen: Array<'transparent' | 'tentative'>;
  /** @defaultValue 30000 */
  timeoutMs: number;
}

const DRAFT_MARKS = ['transparent', 'tentative'] as const;

export const icalKind: SourceKind<ICalOptions> = {
  kind: 'ical',
  readOptions(options, report) {
    const o = new SourceOptions(options, report, [
      'url',
      'file',
      'task',
      'person',
      'unpublishedWhen',
      'timeoutSeconds',
    ]);
    let url: URL | undefined;
    const urlText = o.text('url', false);
    if (urlText) {
      try {
        url = new URL(urlText.replace(/^webcal:/i, 'https:'));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          o.report('url', `must be an http, https or webcal URL, not ${url.protocol}`);
          url = undefined;
        }
      } catch {
        o.report('url', 'is not a URL');
      }
    }
    const file = o.text('file', false);
    if (urlText && file) o.report('file', 'give url or file, not both');
    if (!urlText && !file) o.report('url', 'is required (or file)');
    const task = field(o, options.task, 'task', 'SUMMARY');
    const person = field(o, options.person, 'person', 'ATTENDEE');
    const marks = options.unpublishedWhen ?? [];
    if (!Array.isArray(marks) || marks.some((m) => !(DRAFT_MARKS as readonly unknown[]).includes(m)))
      o.report('unpublishedWhen', `must be a list of: ${DRAFT_MARKS.join(', ')}`);
    const read: ICalOptions = {
      url,
      file,
      task,
      person,
      unpublishedWhen: Array.isArray(marks) ? (marks as ICalOptions['unpublishedWhen']) : [],
      timeoutMs: o.whole('timeoutSeconds', 1, 600, 30) * 1000,
    };
    return o.failed ? undefined : read;
  },
  create: (options, context) => new ICalClient(options, context),
};

/** `task:`/`person:` as `{ property, pattern }`, or a property name alone. */
function field(o: SourceOptions, given: unknown, key: string, fallback: string): ICalField {
  if (typeof given === 'string') return { property: checkedName(o, key, given) ?? fallback };
  const inner = o.nested(key, ['property', 'pattern']);
  if (!inner) return { property: fallback };
  const property = checkedName(o, `${key}.property`, inner.text('property', false, fallback));
  const pattern = inner.text('pattern', false);
  if (!pattern) return { property: property ?? fallback };
  try {
    return { property: property ?? fallback, pattern: new RegExp(pattern) };
  } catch (err) {
    o.report(`${key}.pattern`, `is not a regular expression: ${(err as Error).message}`);
    return { property: fallback };
  }
}

function checkedName(o: SourceOptions, key: string, name: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) return name.toUpperCase();
  o.report(key, `${name} is not an iCalendar property name (SUMMARY, CATEGORIES, LOCATION, X-…)`);
  return undefined;
}

export class ICalClient implements ScheduleSourceClient {
  readonly kind = 'ical';

  constructor(
    private readonly options: ICalOptions,
    private readonly context: SourceContext,
  ) {}

  async pull(request: PullRequest): Promise<SourcePull> {
    const text = await this.read(request.signal);
    const reading: ICalReading = {
      task: this.options.task,
      person: this.options.person,
      unpublishedWhen: this.options.unpublishedWhen,
      zone: this.context.zone,
    };
    try {
      const shifts = await readCalendar(text, request.from, request.to, reading);
      request.progress?.(shifts.length);
      return { mode: 'window', from: request.from, to: request.to, shifts };
    } catch (err) {
      if (err instanceof ICalendarError) throw new SourceError(`${this.where()}: ${err.message}`);
      throw err;
    }
  }

  private where(): string {
    const { url, file } = this.options;
    return url ? `the calendar at ${url.origin}${url.pathname}` : `the calendar file ${file}`;
  }

  private async read(signal: AbortSignal): Promise<string> {
    const { url, file } = this.options;
    if (url) {
      const answer = await sourceGet({
        url,
        what: this.where(),
        timeoutMs: this.options.timeoutMs,
        signal,
        // A published calendar's address usually is its credential (a private token in the path or query).
        secrets: [url.pathname.length > 1 ? url.pathname : '', url.search, url.password].filter(Boolean),
        headers: { accept: 'text/calendar, */*;q=0.5' },
      });
      return answer.text;
    }
    const path = isAbsolute(file as string) ? (file as string) : join(this.context.configDir, file as string);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new SourceError(
        `${this.where()}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
}
