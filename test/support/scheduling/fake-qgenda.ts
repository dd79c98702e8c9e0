/**
 * A QGenda REST API on a real socket, as documented: `POST /v2/login` (form email/password) answers a
 * bearer token; `GET /v2/schedule` needs it, takes companyKey and startDate/endDate (MM/DD/YYYY, at most
 * 100 days, and at most 31 without gzip), `sinceModifiedTimestamp` and `includeDeletes`, and answers the
 * entries whose Date falls in the range, gzipped when asked. Entries are built from site-local times with
 * the UTC ones computed here, as QGenda sends both.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { wallTimeToInstant } from '../../../src/kit/zone-clock.ts';

export interface EntryInput {
  key: string;
  /** Site-local 'YYYY-MM-DD HH:mm'. */
  start: string;
  end: string;
  staff?: { key: string; id?: string; abbrev?: string; first?: string; last?: string; npi?: string };
  task: { key: string; id?: string; name: string };
  published?: boolean;
  struck?: boolean;
  deleted?: boolean;
  modified?: string;
  notes?: string;
}

export type QGendaFault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'silent' }
  | { kind: 'truncate' }
  | { kind: 'garbage'; body: string };

export interface FakeQGenda {
  url: string;
  entries: Record<string, unknown>[];
  /** Schedule requests' URLs, in order. */
  schedules: URL[];
  /** Accept-Encoding of each schedule request. */
  encodings: string[];
  logins: number;
  /** Faults for the next schedule requests, one each. */
  faults: QGendaFault[];
  /** Every token issued so far stops working (QGenda answers 401). */
  expireTokens(): void;
  /** Refuse every token, even a fresh one (the account lost access to the company). */
  refuseAllTokens: boolean;
  close(): Promise<void>;
}

export const COMPANY = '3f1b2c4d-0000-4000-8000-000000000001';

export function qgendaEntry(input: EntryInput, zone: string): Record<string, unknown> {
  const utc = (local: string) => {
    const [d, t] = local.split(' ');
    const [y, m, day] = d.split('-').map(Number);
    const [h, min] = t.split(':').map(Number);
    return new Date(wallTimeToInstant(zone, Date.UTC(y, m - 1, day, h, min)))
      .toISOString()
      .replace('.000Z', '');
  };
  const [startDate, startTime] = input.start.split(' ');
  const [endDate, endTime] = input.end.split(' ');
  return {
    ScheduleKey: input.key,
    Date: `${startDate}T00:00:00`,
    StartDate: `${startDate}T00:00:00`,
    StartTime: `${startTime}:00`,
    EndDate: `${endDate}T00:00:00`,
    EndTime: `${endTime}:00`,
    StartDateUTC: utc(input.start),
    EndDateUTC: utc(input.end),
    IsPublished: input.published ?? true,
    IsStruck: input.struck ?? false,
    ...(input.deleted ? { IsDeleted: true } : {}),
    LastModifiedDateUTC: input.modified ?? '2026-01-01T00:00:00',
    Notes: input.notes ?? '',
    StaffKey: input.staff?.key ?? '',
    StaffId: input.staff?.id ?? '',
    StaffAbbrev: input.staff?.abbrev ?? '',
    StaffFName: input.staff?.first ?? '',
    StaffLName: input.staff?.last ?? '',
    StaffNpi: input.staff?.npi ?? '',
    TaskKey: input.task.key,
    TaskId: input.task.id ?? '',
    TaskName: input.task.name,
    CallRole: 'unused',
  };
}

export async function startFakeQGenda(account: { email: string; password: string }): Promise<FakeQGenda> {
  const valid = new Set<string>();
  let issued = 0;
  const state: FakeQGenda = {
    url: '',
    entries: [],
    schedules: [],
    encodings: [],
    logins: 0,
    faults: [],
    refuseAllTokens: false,
    expireTokens: () => valid.clear(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.method === 'POST' && url.pathname === '/v2/login') {
      state.logins++;
      const form = new URLSearchParams(await readBody(req));
      if (form.get('email') !== account.email || form.get('password') !== account.password)
        return send(401, JSON.stringify({ error: 'invalid_grant' }));
      const token = `qg-token-${++issued}`;
      valid.add(token);
      return send(200, JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 86399 }));
    }
    if (req.method !== 'GET' || url.pathname !== '/v2/schedule') return send(404, '{}');
    state.schedules.push(url);
    state.encodings.push(String(req.headers['accept-encoding'] ?? ''));
    const token = /^bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !valid.has(token) || state.refuseAllTokens)
      return send(401, '{"Message":"Authorization has been denied"}');
    const fault = state.faults.shift();
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'status') return send(fault.status, '{}', fault.headers);
    if (fault?.kind === 'garbage') return send(200, fault.body, { 'content-type': 'text/html' });
    const first = usDay(url.searchParams.get('startDate'));
    const last = usDay(url.searchParams.get('endDate'));
    if (
      url.searchParams.get('companyKey') !== COMPANY ||
      first === undefined ||
      last === undefined ||
      last < first
    )
      return send(400, '{"Message":"companyKey, startDate and endDate are required"}');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const days = (last - first) / 86_400_000 + 1;
    if (days > (gzip ? 100 : 31)) return send(400, '{"Message":"date range too large"}');
    const since = url.searchParams.get('sinceModifiedTimestamp');
    const withDeletes = url.searchParams.get('includeDeletes') === 'true';
    const rows = state.entries.filter((e) => {
      const day = Date.parse(`${String(e.Date).slice(0, 10)}T00:00:00Z`);
      if (day < first || day > last) return false;
      if (e.IsDeleted && !withDeletes) return false;
      return !since || Date.parse(`${String(e.LastModifiedDateUTC)}Z`) >= Date.parse(since);
    });
    let body = Buffer.from(JSON.stringify(rows));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (gzip) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    if (fault?.kind === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function usDay(text: string | null): number | undefined {
  const m = text ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text) : null;
  return m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) : undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
