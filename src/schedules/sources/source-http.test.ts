import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SourceServer, startSourceServer } from '../../../test/support/scheduling/source-server.ts';
import { SourceError } from './source.ts';
import { redact, retryAfter, sourceGet } from './source-http.ts';

describe('sourceGet', () => {
  let server: SourceServer;
  beforeEach(async () => {
    server = await startSourceServer((url) => ({ body: `hello ${url.searchParams.get('who')}` }));
  });
  afterEach(() => server.close());

  const get = (signal = new AbortController().signal) =>
    sourceGet({
      url: new URL(`${server.url}/?who=ward&key=s3cr%2Ft`),
      what: 'the test report',
      timeoutMs: 2000,
      signal,
      secrets: ['s3cr/t'],
    });

  it('reads a gzip answer, and a plain one', async () => {
    expect((await get()).text).toBe('hello ward');
    server.gzip = false;
    expect((await get()).text).toBe('hello ward');
  });

  it('drops a byte order mark, as Response.text() does, and reads the rest as UTF-8', async () => {
    server.close();
    server = await startSourceServer(() => ({ body: '\ufeffName,Zoë' }));
    expect((await get()).text).toBe('Name,Zoë');
  });

  it('is refused once and answers the next time (the fault is not remembered)', async () => {
    server.faults.push({ kind: 'status', status: 403 });
    const refused = await get().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SourceError);
    expect((refused as SourceError).message).toBe(
      `the test report: ${server.url}/?who=ward&key=*** refused the credentials (HTTP 403)`,
    );
    expect((await get()).text).toBe('hello ward');
  });

  it('says the sync was stopped when the caller aborts, rather than calling it a timeout', async () => {
    server.faults.push({ kind: 'silent' });
    const abort = new AbortController();
    const pending = get(abort.signal).catch((e: unknown) => e);
    setImmediate(() => abort.abort());
    expect(((await pending) as Error).message).toMatch(
      /^the test report: the sync was stopped while reaching/,
    );
  });

  it('reports another HTTP status with the status', async () => {
    server.faults.push({ kind: 'status', status: 500 });
    const error = (await get().catch((e: unknown) => e)) as SourceError;
    expect(error.detail).toEqual({ status: 500 });
  });
});

describe('Retry-After and redaction', () => {
  it('reads delay-seconds and an HTTP date, and ignores anything else', () => {
    const now = Date.parse('2026-11-01T12:00:00Z');
    expect(retryAfter('120', now)).toBe(120_000);
    expect(retryAfter('Sun, 01 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(retryAfter('Sun, 01 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });

  it('replaces a secret however the URL encoded it', () => {
    const secret = 'a b&c/d';
    expect(
      redact(
        `Lo=${encodeURIComponent(secret)} Lo=${new URLSearchParams({ s: secret }).toString().slice(2)} ${secret}`,
        [secret],
      ),
    ).toBe('Lo=*** Lo=*** ***');
  });
});
