/**
 * Routing: on-call lookups per second over 100,000 shifts (next to the bare indexed SELECT), and the time
 * from an HL7 message leaving the sender to the alert frame arriving on the on-call clinician's WebSocket,
 * at fixed offered rates (200 and 1,000 msgs/s), next to the ingest-only figure (message → ACK) of the very
 * same messages. Target: p99 under 25 ms at 200 msgs/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { MllpClient, readAck } from '../src/delivery/mllp/client.ts';
import { launchServer } from './lib/child-server.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatRate, formatTable, formatTargets } from './lib/table.ts';
import { measureOnCallLookups } from './routing/oncall-lookups.ts';

export const about =
  'on-call lookups over 100k shifts; HL7 in → clinician WebSocket frame p50/p99 at 200 and 1,000 msgs/s, next to ingest-only';
export const usage = `  --rates 200,1000     offered rates in msgs/s
  --seconds 10         how long each rate is offered
  --connections 4      MLLP connections the load is spread over
  --shifts 100000      shifts in the on-call lookup table`;

const serverFile = new URL('./routing/server.ts', import.meta.url).pathname;

function oru(id: string): string {
  return `MSH|^~\\&|LAB|RGH|SB|RGH|20261122143000||ORU^R01|${id}|P|2.5.1\rPID|1||MRN${Number(id.split('-')[1]) % 997}^^^RGH^MR||DOE^JANE\rPV1|1|I|4W^401^A\rOBX|1|NM|2823-3^Potassium^LN||2.7|mmol/L|3.5-5.1|LL|||F\r`;
}

async function signIn(http: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${http}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench.doctor', password: 'bench-password' }),
  });
  return ((await res.json()) as { token: string }).token;
}

interface RateFigures {
  rate: number;
  sent: number;
  endToEnd: ReturnType<LatencySamples['summary']>;
  ingest: ReturnType<LatencySamples['summary']>;
  framesMissing: number;
  nonAA: number;
}

async function offer(
  rate: number,
  seconds: number,
  connections: number,
  mllp: number,
  http: number,
  tag: string,
): Promise<RateFigures> {
  const token = await signIn(http);
  const sentAt = new Map<string, number>();
  const endToEnd = new LatencySamples(rate * seconds);
  const ingest = new LatencySamples(rate * seconds);
  const socket = new WebSocket(`ws://127.0.0.1:${http}/api/ws?token=${token}`);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; alert?: { title: string } };
    if (frame.type !== 'alert' || !frame.alert) return;
    const t0 = sentAt.get(frame.alert.title);
    if (t0 === undefined) return;
    sentAt.delete(frame.alert.title);
    endToEnd.add(performance.now() - t0);
  });
  await new Promise((r) => socket.once('open', r));
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new MllpClient({ host: '127.0.0.1', port: mllp, ackTimeoutMs: 60_000 });
      await c.connect();
      return c;
    }),
  );
  const total = rate * seconds;
  let nonAA = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = `${tag}-${i}`;
    const t0 = performance.now();
    sentAt.set(id, t0);
    pending.push(
      clients[i % connections].send(oru(id)).then((ack) => {
        ingest.add(performance.now() - t0);
        if (readAck(ack).code !== 'AA') nonAA += 1;
      }),
    );
  }
  await Promise.all(pending);
  for (let i = 0; i < 200 && sentAt.size > 0; i++) await new Promise((r) => setTimeout(r, 25));
  for (const c of clients) await c.close();
  socket.close();
  return {
    rate,
    sent: total,
    endToEnd: endToEnd.summary(),
    ingest: ingest.summary(),
    framesMissing: sentAt.size,
    nonAA,
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '200,1000' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '4' },
      shifts: { type: 'string', default: '100000' },
    },
  });
  const shifts = Number(values.shifts);
  console.log(`on-call lookups over ${shifts.toLocaleString('en-US')} shifts…`);
  const lookups = await measureOnCallLookups(shifts);
  console.log(
    formatTable(
      [{ title: 'lookup' }, { title: 'lookups/s', align: 'right' }],
      [
        ['OnCallResolver.onCall (store port, async)', formatRate(lookups.resolverPerSecond)],
        ['baseline: bare indexed SELECT, same table', formatRate(lookups.barePerSecond)],
      ],
    ),
  );

  const rows: (string | number)[][] = [];
  const figures: RateFigures[] = [];
  for (const rate of values.rates.split(',').map(Number)) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-routing-data-'));
    const server = await launchServer(serverFile, ['--data-dir', dataDir]);
    try {
      server.mark();
      const f = await offer(
        rate,
        Number(values.seconds),
        Number(values.connections),
        server.port,
        Number(server.info.http),
        `R${rate}`,
      );
      figures.push(f);
      rows.push(
        [
          `${rate}/s`,
          'HL7 in → clinician WebSocket frame',
          f.sent,
          formatMs(f.endToEnd.p50Ms),
          formatMs(f.endToEnd.p99Ms),
          formatMs(f.endToEnd.maxMs),
          f.framesMissing,
        ],
        [
          `${rate}/s`,
          'ingest only: HL7 in → ACK (same messages)',
          f.sent,
          formatMs(f.ingest.p50Ms),
          formatMs(f.ingest.p99Ms),
          formatMs(f.ingest.maxMs),
          f.nonAA,
        ],
      );
      await server.stop();
    } catch (err) {
      server.kill();
      throw err;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(
    formatTable(
      [
        { title: 'offered' },
        { title: 'path' },
        { title: 'messages', align: 'right' },
        { title: 'p50', align: 'right' },
        { title: 'p99', align: 'right' },
        { title: 'max', align: 'right' },
        { title: 'missing / non-AA', align: 'right' },
      ],
      rows,
    ),
  );
  const at200 = figures.find((f) => f.rate === 200);
  console.log(
    `targets:\n${formatTargets([
      {
        label: 'p99 HL7 → clinician frame at 200 msgs/s < 25 ms',
        measured: at200?.endToEnd.p99Ms,
        threshold: 25,
        direction: 'at-most',
        unit: '',
        format: formatMs,
      },
    ])}`,
  );
}
