/**
 * A scheduling system on a real socket for the source clients' tests: each system's fake supplies the
 * answer to a request (its own format and auth), and a test switches faults on to see the client fail
 * the way a real server fails: refused credentials, busy with Retry-After, a body cut off mid-way, an
 * answer that never comes, garbage.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Answer {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'silent' }
  /** Announces the whole body's length, sends half and drops the connection. */
  | { kind: 'truncate' }
  | { kind: 'garbage'; body: string; contentType?: string };

export interface SourceServer {
  url: string;
  /** Every request's URL, in order. */
  requests: URL[];
  /** Faults for the next requests, first one first; each is used once. */
  faults: Fault[];
  /** Answer in gzip when the client accepts it. @defaultValue true */
  gzip: boolean;
  close(): Promise<void>;
}

export async function startSourceServer(
  answer: (url: URL, request: IncomingMessage) => Answer,
): Promise<SourceServer> {
  const requests: URL[] = [];
  const state: SourceServer = {
    url: '',
    requests,
    faults: [],
    gzip: true,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    requests.push(url);
    const fault = state.faults.shift();
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      res.end(`HTTP ${fault.status}`);
      return;
    }
    if (fault?.kind === 'garbage') {
      res.writeHead(200, { 'content-type': fault.contentType ?? 'text/plain' });
      res.end(fault.body);
      return;
    }
    const a = answer(url, req);
    let body = Buffer.from(a.body, 'utf8');
    const headers: Record<string, string> = { ...a.headers };
    if (state.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(a.status ?? 200, headers);
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

/** A URL on which nothing listens: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
