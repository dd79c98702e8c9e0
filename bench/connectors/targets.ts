/**
 * The connectors benchmark's local targets in a process of their own, so the parent holds only
 * Switchboard: two signed-webhook receivers and the test suite's fake Microsoft Graph (per-item delay
 * off). They record what arrived and when; the parent asks over a small control server:
 *
 *   GET  /wait?a=N&b=N&g=N   answers once webhook A and B hold N deliveries and Graph N events, with the
 *                            moment each got there
 *   POST /take-recorded      the requests recorded so far (webhook bodies with their signature headers,
 *                            Graph $batch bodies) for the bare replay; recording stops until /steady
 *   POST /steady             counts so far; from now on arrivals are kept for latency
 *   GET  /arrivals           when each steady shift reached each target: [shift number, time] pairs
 *   GET  /counts             deliveries each target holds now
 *
 * Times are `performance.timeOrigin + performance.now()`, which the parent reads the same way.
 * Requests with an `x-replay` header (the bare replay) are answered and not counted.
 *
 * Forked by bench/connectors.ts through launchServer; reports the control port as `port` and the
 * targets' addresses in `info`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGraph } from '../../test/support/fake-graph.ts';
import { serveInChild } from '../lib/child-server.ts';

const clock = () => performance.timeOrigin + performance.now();

export interface RecordedHook {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface RecordedRequests {
  hookA: RecordedHook[];
  hookB: RecordedHook[];
  /** Graph `$batch` requests, in the order they arrived. */
  graph: Array<{ path: string; body: string }>;
}

export type Counts = { a: number; b: number; g: number };
/** [shift number, arrival time] per target. */
export type Arrivals = { a: Array<[number, number]>; b: Array<[number, number]>; g: Array<[number, number]> };

const SIGNED_HEADERS = ['content-type', 'switchboard-signature', 'switchboard-delivery', 'switchboard-event'];
const shiftNumber = (id: string) => Number(id.slice(1));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

const listen = (server: Server) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

/** A webhook receiver that counts deliveries and, while asked to, records them for the replay. */
async function webhookTarget() {
  const target = {
    url: '',
    count: 0,
    recording: true,
    recorded: [] as RecordedHook[],
    arrivals: undefined as Array<[number, number]> | undefined,
    server: createServer(async (req, res) => {
      const text = await readBody(req);
      const at = clock();
      if (req.headers['x-replay'] === undefined) {
        target.count++;
        if (target.arrivals)
          target.arrivals.push([shiftNumber((JSON.parse(text) as { shiftId: string }).shiftId), at]);
        if (target.recording) {
          const headers: Record<string, string> = {};
          for (const h of SIGNED_HEADERS) headers[h] = String(req.headers[h]);
          target.recorded.push({ path: req.url ?? '/', body: text, headers });
        }
      }
      res.writeHead(200).end('ok');
    }),
  };
  target.url = `http://127.0.0.1:${await listen(target.server)}/hook`;
  return target;
}

serveInChild(async () => {
  const hookA = await webhookTarget();
  const hookB = await webhookTarget();
  const graph = await new FakeGraph().listen();
  graph.itemDelayMs = 0;
  graph.recorded = [];
  const counts = (): Counts => ({ a: hookA.count, b: hookB.count, g: graph.events.size });

  const json = (res: import('node:http').ServerResponse, value: unknown) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  const control = createServer(async (req, res) => {
    await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/wait') {
      const want = {
        a: Number(url.searchParams.get('a')),
        b: Number(url.searchParams.get('b')),
        g: Number(url.searchParams.get('g')),
      };
      const reached: Partial<Counts> = {};
      // A 5 ms look, as the benchmark's loop looked before the targets moved here.
      const timer = setInterval(() => {
        const now = counts();
        for (const k of ['a', 'b', 'g'] as const) if (now[k] >= want[k]) reached[k] ??= clock();
        if (reached.a !== undefined && reached.b !== undefined && reached.g !== undefined) {
          clearInterval(timer);
          json(res, reached);
        }
      }, 5);
    } else if (url.pathname === '/take-recorded') {
      const recorded: RecordedRequests = {
        hookA: hookA.recorded,
        hookB: hookB.recorded,
        graph: (graph.recorded ?? []).filter((r) => r.path.endsWith('/$batch')),
      };
      hookA.recorded = [];
      hookB.recorded = [];
      hookA.recording = false;
      hookB.recording = false;
      graph.recorded = undefined;
      json(res, recorded);
    } else if (url.pathname === '/steady') {
      hookA.arrivals = [];
      hookB.arrivals = [];
      graph.recorded = [];
      json(res, counts());
    } else if (url.pathname === '/counts') {
      json(res, counts());
    } else if (url.pathname === '/arrivals') {
      const g = new Map<number, number>();
      for (const r of graph.recorded ?? []) {
        if (!r.path.endsWith('/$batch')) continue;
        for (const m of r.body.matchAll(/"value":"outlook:b(\d+)"/g)) {
          const n = Number(m[1]);
          if (!g.has(n)) g.set(n, r.at + performance.timeOrigin);
        }
      }
      const arrivals: Arrivals = { a: hookA.arrivals ?? [], b: hookB.arrivals ?? [], g: [...g] };
      json(res, arrivals);
    } else res.writeHead(404).end();
  });
  const port = await listen(control);
  return {
    port,
    info: { hookA: hookA.url, hookB: hookB.url, graphBase: graph.baseUrl, graphToken: graph.tokenUrl },
    async stop() {
      control.close();
      hookA.server.close();
      hookB.server.close();
      graph.close();
      return counts();
    },
  };
});
