/**
 * A local Microsoft Graph for calendar tests, speaking the documented subset: the client-credentials
 * token endpoint, /users/{upn}/events (POST with transactionId, GET with the extended-property $filter),
 * /users/{upn}/events/{id} (PATCH, DELETE) and /$batch (items answered in any order, each with its own
 * status). It can throttle (429 with Retry-After, per item inside a batch), be down, and count how many
 * requests run at once per mailbox.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEvent {
  id: string;
  upn: string;
  body: Record<string, unknown>;
  transactionId?: string;
  shiftKey?: string;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class FakeGraph {
  readonly events = new Map<string, FakeEvent>();
  server: Server;
  tokensIssued = 0;
  requests = 0;
  /** The next N event requests (batch items included) answer 429 with this Retry-After. */
  throttle = { remaining: 0, retryAfter: '1' };
  down = false;
  /** Graph drops a repeated POST with the same transactionId; false to test what finds events without it. */
  honourTransactionId = true;
  /** How long each event request works (so a batch's items overlap). @defaultValue 2 */
  itemDelayMs = 2;
  /** When set, every HTTP request is recorded here (a benchmark replays them with a bare client). */
  recorded?: Array<{ method: string; path: string; body: string; at: number }>;
  /** Mailboxes that do not exist (404). */
  unknownMailboxes = new Set<string>();
  maxConcurrentPerMailbox = 0;
  /** Runs after a $batch was applied and before its answer is written (a test kills the client here). */
  beforeBatchAnswer?: (requests: ReadonlyArray<{ method: string }>) => Promise<void> | void;
  private inFlight = new Map<string, number>();
  private nextId = 1;
  baseUrl = '';
  tokenUrl = '';

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${port}/v1.0`;
    this.tokenUrl = `http://127.0.0.1:${port}/tenant-1/oauth2/v2.0/token`;
    return this;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }

  eventsOf(upn: string): FakeEvent[] {
    return [...this.events.values()].filter((e) => e.upn === upn);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const c of req) text += c;
    this.recorded?.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      body: text,
      at: performance.now(),
    });
    if (this.down) {
      res.writeHead(503, { 'retry-after': '30' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      const form = new URLSearchParams(text);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'graph-secret') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      this.tokensIssued++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: `token-${this.tokensIssued}`,
        }),
      );
      return;
    }
    if (!req.headers.authorization?.startsWith('Bearer token-')) {
      res.writeHead(401).end();
      return;
    }
    const path = url.pathname.replace(/^\/v1\.0/, '');
    let answer: Answer;
    if (path === '/$batch' && req.method === 'POST') {
      const { requests } = JSON.parse(text) as {
        requests: Array<{ id: string; method: string; url: string; body?: unknown }>;
      };
      if (requests.length > 20) answer = { status: 400, body: { error: { code: 'TooManyRequestsInBatch' } } };
      else {
        const responses = await Promise.all(
          requests.map(async (r) => ({ id: r.id, ...(await this.item(r.method, r.url, r.body)) })),
        );
        answer = { status: 200, body: { responses: responses.reverse() } };
        await this.beforeBatchAnswer?.(requests);
      }
    } else
      answer = await this.item(
        req.method ?? 'GET',
        `${path}${url.search}`,
        text ? JSON.parse(text) : undefined,
      );
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  private async item(method: string, rawUrl: string, body: unknown): Promise<Answer> {
    this.requests++;
    const url = new URL(rawUrl, 'http://x');
    const m = /^\/users\/([^/]+)\/events(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return { status: 404, body: { error: { code: 'NotFound' } } };
    const upn = decodeURIComponent(m[1]);
    if (this.throttle.remaining > 0) {
      this.throttle.remaining--;
      return {
        status: 429,
        headers: { 'Retry-After': this.throttle.retryAfter },
        body: { error: { code: 'ApplicationThrottled' } },
      };
    }
    if (this.unknownMailboxes.has(upn)) return { status: 404, body: { error: { code: 'ErrorInvalidUser' } } };
    const now = (this.inFlight.get(upn) ?? 0) + 1;
    this.inFlight.set(upn, now);
    this.maxConcurrentPerMailbox = Math.max(this.maxConcurrentPerMailbox, now);
    try {
      // A moment of work, so requests of one batch overlap as they do at Graph.
      if (this.itemDelayMs > 0) await new Promise((r) => setTimeout(r, this.itemDelayMs));
      return this.apply(method, upn, m[2], url, body as Record<string, unknown> | undefined);
    } finally {
      this.inFlight.set(upn, (this.inFlight.get(upn) ?? 1) - 1);
    }
  }

  private apply(
    method: string,
    upn: string,
    id: string | undefined,
    url: URL,
    body: Record<string, unknown> | undefined,
  ): Answer {
    if (!id && method === 'GET') {
      const filter = url.searchParams.get('$filter') ?? '';
      const key = /ep\/value eq '((?:[^']|'')*)'/.exec(filter)?.[1]?.replace(/''/g, "'");
      const found = this.eventsOf(upn).filter((e) => key === undefined || e.shiftKey === key);
      return { status: 200, body: { value: found.map((e) => ({ id: e.id })) } };
    }
    if (!id && method === 'POST' && body) {
      if ('attendees' in body) return { status: 400, body: { error: { code: 'NoAttendeesPlease' } } };
      const tx = body.transactionId as string | undefined;
      const same =
        tx && this.honourTransactionId ? this.eventsOf(upn).find((e) => e.transactionId === tx) : undefined;
      if (same) return { status: 201, body: { id: same.id, ...same.body } };
      const props = (body.singleValueExtendedProperties ?? []) as Array<{ value: string }>;
      const e: FakeEvent = {
        id: `ev-${this.nextId++}`,
        upn,
        body,
        transactionId: tx,
        shiftKey: props[0]?.value,
      };
      this.events.set(e.id, e);
      return { status: 201, body: { id: e.id, ...body } };
    }
    const e = id ? this.events.get(id) : undefined;
    if (!e || e.upn !== upn) return { status: 404, body: { error: { code: 'ErrorItemNotFound' } } };
    if (method === 'PATCH' && body) {
      e.body = { ...e.body, ...body };
      return { status: 200, body: { id: e.id, ...e.body } };
    }
    if (method === 'DELETE') {
      this.events.delete(e.id);
      return { status: 204 };
    }
    return { status: 405 };
  }
}
