/**
 * The few Microsoft Graph calls a calendar connector needs, over fetch: a client-credentials token from
 * the identity platform's token endpoint (kept until a minute before it expires), single requests, and
 * JSON batches of up to 20 (`POST /$batch`), whose items each carry their own status and Retry-After.
 * Base URLs come from the settings, so tests point them at a local server.
 */
import { httpFailure, parseRetryAfter, TargetError, unreachable } from '../errors.ts';

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  /** e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** @defaultValue https://graph.microsoft.com/.default */
  scope: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, e.g. /users/x@y/events */
  url: string;
  body?: unknown;
}

export interface GraphAnswer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

export const GRAPH_BATCH_MAX = 20;

export class GraphClient {
  private token?: { value: string; until: number };

  constructor(private readonly o: GraphClientOptions) {}

  /** One request; resolves with any status (the caller decides), throws only when Graph cannot be reached. */
  async request(r: GraphRequest): Promise<GraphAnswer> {
    const res = await this.call(`${this.o.baseUrl}${r.url}`, r.method, r.body);
    return { status: res.status, body: await bodyOf(res), retryAfter: res.headers.get('retry-after') };
  }

  /** Up to 20 requests in one $batch; the answers in the order of the requests. */
  async batch(requests: readonly GraphRequest[]): Promise<GraphAnswer[]> {
    const body = {
      requests: requests.map((r, i) => ({
        id: String(i + 1),
        method: r.method,
        url: r.url,
        ...(r.body === undefined ? {} : { body: r.body, headers: { 'content-type': 'application/json' } }),
      })),
    };
    const res = await this.call(`${this.o.baseUrl}/$batch`, 'POST', body);
    const answer = await bodyOf(res);
    if (res.status !== 200)
      throw httpFailure('Graph $batch', res.status, res.headers.get('retry-after'), JSON.stringify(answer));
    const items = (
      answer as {
        responses?: Array<{ id: string; status: number; body?: unknown; headers?: Record<string, string> }>;
      }
    ).responses;
    if (!Array.isArray(items)) throw new TargetError('Graph $batch answered without responses');
    // Responses may come in any order: match them by id.
    const byId = new Map(items.map((it) => [it.id, it]));
    return requests.map((_r, i) => {
      const it = byId.get(String(i + 1));
      if (!it) return { status: 0, body: 'no response for this item', retryAfter: null };
      const headers = Object.fromEntries(
        Object.entries(it.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      );
      return { status: it.status, body: it.body ?? null, retryAfter: headers['retry-after'] ?? null };
    });
  }

  private async call(url: string, method: string, body: unknown, again = true): Promise<Response> {
    const token = await this.accessToken();
    let res: Response;
    try {
      res = await this.o.fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw unreachable('Microsoft Graph', err);
    }
    // A token revoked or expired early: one fresh token, then the answer stands.
    if (res.status === 401 && again) {
      await res.body?.cancel();
      this.token = undefined;
      return this.call(url, method, body, false);
    }
    return res;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    let res: Response;
    try {
      res = await this.o.fetch(this.o.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: this.o.clientId,
          client_secret: this.o.clientSecret,
          grant_type: 'client_credentials',
          scope: this.o.scope,
        }).toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw unreachable('Microsoft identity platform', err);
    }
    const answer = (await bodyOf(res)) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || !answer?.access_token)
      throw httpFailure('token endpoint', res.status, res.headers.get('retry-after'), answer?.error ?? '');
    const seconds = Number(answer.expires_in ?? 3599);
    this.token = { value: answer.access_token, until: Date.now() + Math.max(0, seconds - 60) * 1000 };
    return this.token.value;
  }
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A Graph answer that is not a success, as the TargetError the outbox worker reads. */
export function graphFailure(what: string, a: GraphAnswer): TargetError {
  const code = (a.body as { error?: { code?: string } } | null)?.error?.code;
  if (a.status === 0) return new TargetError(`${what}: ${String(a.body)}`);
  const failure = httpFailure(what, a.status, a.retryAfter, code ?? '');
  // 503 and 504 from Graph are throttling too (learn.microsoft.com, "Throttling"): Retry-After applies.
  if (!failure.permanent && failure.retryAfterMs === undefined && a.retryAfter)
    return new TargetError(failure.message, false, parseRetryAfter(a.retryAfter));
  return failure;
}
