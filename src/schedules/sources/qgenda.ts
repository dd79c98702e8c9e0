/**
 * QGenda's REST API (api.qgenda.com/v2): log in with the account's e-mail and password for a bearer token,
 * then read `GET /v2/schedule` for the company, at most 100 days per request (QGenda's limit when the client
 * takes gzip; wider windows are paged). The first pull, and one every `fullPullEveryMinutes`, reads the
 * whole window; the pulls between ask only for what changed (`sinceModifiedTimestamp`, `includeDeletes`),
 * so a sick call reaches the engine within a pull interval without re-reading months of schedule.
 *
 * A token is reused until shortly before it expires; a 401 on the schedule logs in again once, and a 401
 * with the fresh token is a permanent failure (the account lost access), as is a refused login.
 */
import { offsetMinutes } from '../../kit/zone-clock.ts';
import { QGendaEntries } from './qgenda-entries.ts';
import { qgendaFields } from './qgenda-rows.ts';
import type { PullRequest, ScheduleSourceClient, SourceContext, SourceKind, SourcePull } from './source.ts';
import { SourceError } from './source.ts';
import { redact, retryAfter, sourceRead } from './source-http.ts';
import { SourceOptions } from './source-options.ts';

export interface QGendaOptions {
  /** @defaultValue https://api.qgenda.com */
  baseUrl: URL;
  companyKey: string;
  email: string;
  password: string;
  /** An OData `$filter` QGenda applies (e.g. `IsPublished`); none by default, so drafts arrive as drafts. */
  filter?: string;
  /** Days per schedule request. @defaultValue 100 (QGenda's most with gzip) */
  daysPerRequest: number;
  /** A whole-window pull at least this often; the pulls between are deltas. @defaultValue 360 */
  fullPullEveryMinutes: number;
  /** @defaultValue 30000 */
  timeoutMs: number;
}

/** An overnight shift that is running at the window's start belongs to the day before it. */
const DAYS_BEFORE_WINDOW = 1;
/** Deltas ask from a little before the last change seen, for clock skew and changes saved mid-pull. */
const DELTA_OVERLAP_MS = 5 * 60_000;
/** A token is renewed this long before QGenda says it expires. */
const TOKEN_MARGIN_MS = 60_000;
const DAY_MS = 86_400_000;
/** Longest page body read (as sourceGet's limit): a page this large is a wrong filter or a runaway answer. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

export const qgendaKind: SourceKind<QGendaOptions> = {
  kind: 'qgenda',
  readOptions(options, report) {
    const o = new SourceOptions(options, report, [
      'baseUrl',
      'companyKey',
      'email',
      'password',
      'filter',
      'daysPerRequest',
      'fullPullEveryMinutes',
      'timeoutSeconds',
    ]);
    const read: QGendaOptions = {
      baseUrl: o.url('baseUrl', 'https://api.qgenda.com'),
      companyKey: o.text('companyKey', true) ?? '',
      email: o.secret('email', 'QGENDA_EMAIL') ?? '',
      password: o.secret('password', 'QGENDA_PASSWORD') ?? '',
      filter: o.text('filter', false),
      daysPerRequest: o.whole('daysPerRequest', 1, 100, 100),
      fullPullEveryMinutes: o.whole('fullPullEveryMinutes', 1, 7 * 24 * 60, 360),
      timeoutMs: o.whole('timeoutSeconds', 1, 600, 30) * 1000,
    };
    return o.failed ? undefined : read;
  },
  create: (options, context) => new QGendaClient(options, context),
};

export class QGendaClient implements ScheduleSourceClient {
  readonly kind = 'qgenda';
  private token: { value: string; expiresAt: number } | undefined;
  /** When the last applied whole-window pull began, and the change stamp it reached. */
  private lastFullPullAt = Number.NEGATIVE_INFINITY;
  private cursor: string | undefined;
  /** What a pull advances once the engine says it applied it (a held or failed pull advances nothing). */
  private readonly pending = new WeakMap<SourcePull, { cursor: string; fullAt?: number }>();

  constructor(
    private readonly options: QGendaOptions,
    private readonly context: SourceContext,
    private readonly now: () => number = Date.now,
  ) {}

  async pull(request: PullRequest): Promise<SourcePull> {
    const startedAt = this.now();
    const from = request.cursor ?? this.cursor;
    const delta =
      from !== undefined &&
      !Number.isNaN(Date.parse(from)) &&
      startedAt - this.lastFullPullAt < this.options.fullPullEveryMinutes * 60_000;
    const since = delta ? new Date(Date.parse(from as string) - DELTA_OVERLAP_MS) : undefined;
    const entries = new QGendaEntries(
      this.context.zone,
      delta ? undefined : request,
      delta ? Date.parse(from as string) : Number.NEGATIVE_INFINITY,
    );
    await this.readWindow(request, since, entries);
    const { shifts, deleted } = entries.result();
    const latest = entries.latest;
    const cursor = new Date(Number.isFinite(latest) ? latest : startedAt).toISOString();
    const pull: SourcePull = delta
      ? { mode: 'delta', shifts, deleted, cursor }
      : { mode: 'window', from: request.from, to: request.to, shifts };
    this.pending.set(pull, delta ? { cursor } : { cursor, fullAt: startedAt });
    return pull;
  }

  async applied(pull: SourcePull): Promise<void> {
    const done = this.pending.get(pull);
    if (!done) return;
    this.cursor = done.cursor;
    if (done.fullAt !== undefined) this.lastFullPullAt = done.fullAt;
  }

  /** Every entry of the window's days, page by page; `since` makes it a delta with deletions. */
  private async readWindow(request: PullRequest, since: Date | undefined, entries: QGendaEntries) {
    const first = this.localDay(request.from.getTime()) - DAYS_BEFORE_WINDOW * DAY_MS;
    const last = this.localDay(request.to.getTime() - 1);
    for (let day = first; day <= last; day += this.options.daysPerRequest * DAY_MS) {
      const pageEnd = Math.min(last, day + (this.options.daysPerRequest - 1) * DAY_MS);
      await this.readPage(day, pageEnd, since, request.signal, entries);
      request.progress?.(entries.rows);
    }
  }

  private async readPage(
    first: number,
    last: number,
    since: Date | undefined,
    signal: AbortSignal,
    entries: QGendaEntries,
  ): Promise<void> {
    const url = new URL('/v2/schedule', this.options.baseUrl);
    url.searchParams.set('companyKey', this.options.companyKey);
    url.searchParams.set('startDate', usDate(first));
    url.searchParams.set('endDate', usDate(last));
    // A delta asks for whole entries: how QGenda marks a deleted one is not documented beyond
    // includeDeletes, and a $select could leave the mark out (IsDeleted or IsStruck are read).
    if (!since) url.searchParams.set('$select', qgendaFields.join(','));
    if (this.options.filter) url.searchParams.set('$filter', this.options.filter);
    if (since) {
      url.searchParams.set('sinceModifiedTimestamp', since.toISOString());
      url.searchParams.set('includeDeletes', 'true');
    }
    const what = `the QGenda schedule ${usDate(first)}-${usDate(last)}`;
    // Entries are taken as the body arrives; a 401 comes before any, so the retry starts clean.
    const get = (token: string) =>
      sourceRead(
        {
          url,
          what,
          timeoutMs: this.options.timeoutMs,
          signal,
          secrets: [this.options.password],
          headers: {
            accept: 'application/json',
            'accept-encoding': 'gzip',
            authorization: `bearer ${token}`,
          },
        },
        (body) => entries.readPage(body, what, MAX_PAGE_BYTES),
      );
    const token = await this.bearer(signal);
    try {
      await get(token);
    } catch (err) {
      if (!(err instanceof SourceError) || err.detail.status !== 401) throw err;
      // Tokens can be revoked or expire early; one fresh login decides whether the account still works.
      this.token = undefined;
      const fresh = await this.bearer(signal);
      try {
        await get(fresh);
      } catch (again) {
        if (again instanceof SourceError && again.detail.status === 401)
          throw new SourceError(`${what}: QGenda refused a freshly issued token (HTTP 401)`, {
            status: 401,
            permanent: true,
          });
        throw again;
      }
    }
  }

  private async bearer(signal: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_MARGIN_MS > this.now()) return this.token.value;
    this.token = await this.login(signal);
    return this.token.value;
  }

  private async login(signal: AbortSignal): Promise<{ value: string; expiresAt: number }> {
    const url = new URL('/v2/login', this.options.baseUrl);
    const hide = (t: string) => redact(t, [this.options.password]);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        signal: AbortSignal.any([signal, timeout]),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ email: this.options.email, password: this.options.password }),
      });
      text = await response.text();
    } catch (err) {
      const why = timeout.aborted
        ? `no answer within ${this.options.timeoutMs / 1000} s`
        : hide((err as Error).message);
      throw new SourceError(`QGenda login at ${url.origin}: ${why}`);
    }
    if (response.status === 429 || response.status === 503) {
      const ms = retryAfter(response.headers.get('retry-after'));
      throw new SourceError(`QGenda login: busy (HTTP ${response.status})`, {
        status: response.status,
        ...(ms === undefined ? {} : { retryAfterMs: ms }),
      });
    }
    if (response.status === 400 || response.status === 401 || response.status === 403)
      throw new SourceError(
        `QGenda refused the login for ${this.options.email} (HTTP ${response.status}); check the account and password`,
        { status: response.status, permanent: true },
      );
    if (!response.ok)
      throw new SourceError(`QGenda login: HTTP ${response.status}`, { status: response.status });
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new SourceError('QGenda login: the answer is not JSON');
    }
    if (typeof body.access_token !== 'string' || !body.access_token)
      throw new SourceError('QGenda login: the answer has no access_token');
    const seconds = Number(body.expires_in);
    const lifeMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3600_000;
    return { value: body.access_token, expiresAt: this.now() + lifeMs };
  }

  /** Midnight UTC of the site-local calendar day that `ms` falls on (a day number in ms). */
  private localDay(ms: number): number {
    const wall = ms + offsetMinutes(this.context.zone, ms) * 60_000;
    return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
  }
}

/** QGenda's date parameter: MM/DD/YYYY. */
function usDate(dayMs: number): string {
  const d = new Date(dayMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()}`;
}
