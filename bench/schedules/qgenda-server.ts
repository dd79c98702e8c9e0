/**
 * A QGenda API for the schedule bench, in the bench's own process (so its work is not in the measured
 * child's): `POST /v2/login` answers a token, `GET /v2/schedule` the payload's entries whose StartDate
 * falls in startDate..endDate (MM/DD/YYYY), written day by day from buffers made once, so serving a
 * page costs the bench almost nothing. `companyKey` names the payload (its index in `payloads`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

const DAY_MS = 86_400_000;
const COMMA = Buffer.from(',');

export interface BenchQGenda {
  url: string;
  close(): Promise<void>;
}

/** Serves each payload (a JSON array of QGenda entries) under companyKey '0', '1', ... */
export async function startBenchQGenda(
  payloads: readonly string[],
  options: { gzip: boolean },
): Promise<BenchQGenda> {
  const days = payloads.map(byDay);
  const gzipped = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'POST' && url.pathname === '/v2/login') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'bench', token_type: 'bearer', expires_in: 86399 }));
      return;
    }
    const payload = days[Number(url.searchParams.get('companyKey'))];
    const first = usDay(url.searchParams.get('startDate'));
    const last = usDay(url.searchParams.get('endDate'));
    if (url.pathname !== '/v2/schedule' || !payload || first === undefined || last === undefined) {
      res.writeHead(400).end('{}');
      return;
    }
    const parts: Buffer[] = [];
    for (let day = first; day <= last; day += DAY_MS) {
      const rows = payload.get(day);
      if (rows) parts.push(rows);
    }
    if (!options.gzip) {
      // Written day by day: nothing is built per request, so the measured child never waits for it.
      const length = 2 + parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(length) });
      res.write('[');
      parts.forEach((p, i) => {
        if (i > 0) res.write(COMMA);
        res.write(p);
      });
      res.end(']');
      return;
    }
    // Compressed once per page and kept: the first request of a page waits for it.
    let body = gzipped.get(url.search);
    if (!body) {
      body = gzipSync(
        Buffer.concat([
          Buffer.from('['),
          ...parts.flatMap((p, i) => (i ? [COMMA, p] : [p])),
          Buffer.from(']'),
        ]),
        { level: 1 },
      );
      gzipped.set(url.search, body);
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(body.length),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Each day's entries (by StartDate) as one buffer of comma-separated JSON objects. */
function byDay(payload: string): Map<number, Buffer> {
  const rows = JSON.parse(payload) as Array<{ StartDate: string }>;
  const texts = new Map<number, string[]>();
  for (const row of rows) {
    const day = Date.parse(`${row.StartDate.slice(0, 10)}T00:00:00Z`);
    const list = texts.get(day) ?? [];
    list.push(JSON.stringify(row));
    texts.set(day, list);
  }
  return new Map([...texts].map(([day, list]) => [day, Buffer.from(list.join(','))]));
}

function usDay(text: string | null): number | undefined {
  const m = text ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text) : null;
  return m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) : undefined;
}
