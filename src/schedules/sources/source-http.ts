/**
 * One HTTP GET for a scheduling system's client, with the failures the sync engine needs told apart:
 * a refused credential is permanent, a 429/503 says when to come back, a timeout, a dropped connection
 * and a body cut off in the middle each say so in plain words. Node's fetch (undici) asks for gzip and
 * inflates it; a body shorter than its Content-Length, or a chunked body that never ends, fails the read
 * ("terminated"), which is how a truncated answer is caught here rather than read as a short schedule.
 *
 * Credentials of these systems travel in the URL (Amion's Lo=, ShiftAdmin's validationKey=), so every
 * message built here has the secrets replaced first: an error ends up on the source's status, in the log
 * and in the API.
 */
import { SourceError } from './source.ts';

export interface SourceGet {
  url: URL;
  /** What is being fetched, for messages: 'the Amion assignments report'. */
  what: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Values never to appear in a message (passwords, API keys). */
  secrets: readonly string[];
  headers?: Record<string, string>;
}

export interface SourceAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** Longest body read into memory; a schedule this large is a wrong URL or a runaway report. */
const maxBodyBytes = 64 * 1024 * 1024;

export async function sourceGet(get: SourceGet): Promise<SourceAnswer> {
  return sourceRead(get, async (body, answer) => {
    const parts: Uint8Array[] = [];
    for await (const chunk of body) parts.push(chunk);
    const text = Buffer.concat(parts).toString('utf8');
    // As Response.text() reads it: a byte order mark (CSV exports often start with one) is not text.
    return { ...answer, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  });
}

/**
 * As sourceGet, but hands the body to `read` as it arrives instead of as one text, so a large answer can
 * be read without holding it whole. A failure of the transfer (cut off, timed out, stopped) reaches `read`
 * as the same SourceError sourceGet throws; whatever `read` throws is passed on, and the rest of the body
 * is then abandoned.
 */
export async function sourceRead<T>(
  get: SourceGet,
  read: (body: AsyncIterable<Uint8Array>, answer: Omit<SourceAnswer, 'text'>) => Promise<T>,
): Promise<T> {
  const hide = (text: string) => redact(text, get.secrets);
  const where = hide(get.url.toString());
  const timeout = AbortSignal.timeout(get.timeoutMs);
  const signal = AbortSignal.any([get.signal, timeout]);
  const failed = (error: unknown, during: string): SourceError => {
    if (get.signal.aborted)
      return new SourceError(`${get.what}: the sync was stopped while ${during} ${where}`);
    if (timeout.aborted) {
      return new SourceError(
        `${get.what}: no complete answer from ${where} within ${get.timeoutMs / 1000} s`,
      );
    }
    return new SourceError(`${get.what}: ${during} ${where} failed: ${hide(describe(error))}`);
  };
  let response: Response;
  try {
    response = await fetch(get.url, {
      signal,
      redirect: 'follow',
      headers: { accept: '*/*', 'accept-encoding': 'gzip, deflate', ...get.headers },
    });
  } catch (error) {
    throw failed(error, 'reaching');
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw statusError(get.what, where, response);
  }
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > maxBodyBytes) {
    await response.body?.cancel().catch(() => {});
    throw new SourceError(
      `${get.what}: the answer from ${where} is ${length} bytes, over the ${maxBodyBytes} limit`,
    );
  }
  const cutOff = (error: unknown): SourceError => {
    // undici reports a body that ended before its length, or a connection dropped mid-body, as
    // "terminated"; a gzip stream cut short fails the same read.
    const cut = failed(error, 'reading the answer from');
    return timeout.aborted || get.signal.aborted
      ? cut
      : new SourceError(`${get.what}: the answer from ${where} was cut off (${hide(describe(error))})`);
  };
  const stream = response.body;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!stream) return;
    const reader = stream.getReader();
    let done = false;
    try {
      while (!done) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          done = true;
          throw cutOff(error);
        }
        done = next.done;
        if (next.value) yield next.value;
      }
    } finally {
      // A reader that stopped early (a body it refused) leaves the rest unread: the connection is freed.
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  }
  return read(chunks(), { status: response.status, contentType: response.headers.get('content-type') ?? '' });
}

function statusError(what: string, where: string, response: Response): SourceError {
  const status = response.status;
  if (status === 401 || status === 403) {
    return new SourceError(`${what}: ${where} refused the credentials (HTTP ${status})`, {
      status,
      permanent: true,
    });
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    const when = retryAfterMs === undefined ? '' : `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    return new SourceError(`${what}: ${where} is busy (HTTP ${status})${when}`, {
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new SourceError(`${what}: ${where} answered HTTP ${status}`, { status });
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 10.2.3), in milliseconds from now. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `text` with every secret (also URL-encoded, as it appears in a query string) replaced by ***. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ])) {
      out = out.split(form).join('***');
    }
  }
  return out;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return error.message;
}
