/**
 * Clinician messaging: a nurse's message → the doctor's WebSocket frame, p50/p99 at a fixed rate (50/s),
 * next to the alert path in the same run (an HL7 critical result → the same doctor's frame, at the same
 * rate); and recipient search as one types (`GET /api/recipients?q=`) over 10,000 people and 500
 * assignments, next to the bare in-process filter over the same names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { MllpClient } from '../src/delivery/mllp/client.ts';
import { launchServer } from './lib/child-server.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatTable, formatTargets } from './lib/table.ts';
import { BENCH_PASSWORD, hospitalNames } from './messaging/names.ts';

export const about =
  'message → recipient frame p50/p99 at 50/s next to the alert path; recipient search p99 over 10k people';
export const usage = `  --rate 50            messages (and, separately, HL7 results) per second
  --seconds 10         how long each is offered
  --searches 1000      recipient searches`;

const serverFile = new URL('./messaging/server.ts', import.meta.url).pathname;

async function signIn(http: number, username: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${http}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Frames on the doctor's socket, matched to what was sent by a key the caller reads from each frame. */
/** The parts of a server frame the benchmark reads. */
interface Frame {
  type: string;
  message?: { body?: string };
  alert?: { title?: string };
}

function watch(http: number, token: string, keyOf: (frame: Frame) => string | undefined) {
  const sentAt = new Map<string, number>();
  const samples = new LatencySamples(100_000);
  const socket = new WebSocket(`ws://127.0.0.1:${http}/api/ws?token=${token}`);
  socket.on('message', (data) => {
    const key = keyOf(JSON.parse(data.toString()) as Frame);
    const t0 = key === undefined ? undefined : sentAt.get(key);
    if (t0 === undefined || key === undefined) return;
    sentAt.delete(key);
    samples.add(performance.now() - t0);
  });
  return { sentAt, samples, socket, opened: new Promise((r) => socket.once('open', r)) };
}

async function paced(rate: number, seconds: number, send: (i: number) => Promise<void>): Promise<void> {
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(i));
  }
  await Promise.all(pending);
}

async function settle(sentAt: Map<string, number>) {
  for (let i = 0; i < 200 && sentAt.size > 0; i++) await new Promise((r) => setTimeout(r, 25));
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '10' },
      searches: { type: 'string', default: '1000' },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-messaging-data-'));
  // Ten thousand people and five hundred rotations take a while to load and check on a busy machine.
  const server = await launchServer(serverFile, ['--data-dir', dataDir], { readyTimeoutMs: 180_000 });
  try {
    const http = Number(server.info.http);
    const doctor = await signIn(http, 'bench.doctor');
    const nurse = await signIn(http, 'bench.nurse');
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${http}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${nurse}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Messages: one conversation, then replies at the rate; each body is its key.
    const messages = watch(http, doctor, (f) => (f.type === 'message' ? f.message?.body : undefined));
    await messages.opened;
    const start = await post('/api/conversations', { to: { kind: 'person', id: 'p-doc' }, body: 'warm-up' });
    const conversationId = ((await start.json()) as { conversation: { id: number } }).conversation.id;
    const sent = new LatencySamples(rate * seconds);
    let refused = 0;
    await paced(rate, seconds, async (i) => {
      const body = `bench message ${i}`;
      const t0 = performance.now();
      messages.sentAt.set(body, t0);
      const res = await post(`/api/conversations/${conversationId}/messages`, { body });
      if (res.status !== 201) refused += 1;
      await res.arrayBuffer();
      sent.add(performance.now() - t0);
    });
    await settle(messages.sentAt);
    messages.socket.close();

    // The alert path, same doctor, same rate: HL7 critical result → alert frame (title = control id).
    const alerts = watch(http, doctor, (f) => (f.type === 'alert' ? f.alert?.title : undefined));
    await alerts.opened;
    const mllp = new MllpClient({ host: '127.0.0.1', port: server.port, ackTimeoutMs: 60_000 });
    await mllp.connect();
    await paced(rate, seconds, async (i) => {
      const id = `BENCH-${i}`;
      alerts.sentAt.set(id, performance.now());
      await mllp.send(
        `MSH|^~\\&|LAB|RGH|SB|RGH|20261122143000||ORU^R01|${id}|P|2.5.1\rPID|1||MRN${i % 997}^^^RGH^MR||DOE^JANE\rOBX|1|NM|2823-3^Potassium^LN||2.7|mmol/L|3.5-5.1|LL|||F\r`,
      );
    });
    await settle(alerts.sentAt);
    await mllp.close();
    alerts.socket.close();

    // Recipient search: prefixes of real names, as typed.
    const names = hospitalNames(10_000, 500);
    const words = [...names.people, ...names.assignments]
      .flatMap((n) => n.split(' '))
      .filter((w) => w.length > 2);
    const queries = Array.from({ length: Number(values.searches) }, (_, i) => {
      const w = words[(i * 7919) % words.length]!;
      return w.slice(0, 2 + (i % 3)).toLowerCase();
    });
    const search = new LatencySamples(queries.length);
    for (const q of queries) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${http}/api/recipients?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${nurse}` },
      });
      await res.arrayBuffer();
      search.add(performance.now() - t0);
    }
    const bare = new LatencySamples(queries.length);
    for (const q of queries) {
      const t0 = performance.now();
      names.people.filter((n) => n.toLowerCase().includes(q)).slice(0, 10);
      names.assignments.filter((n) => n.toLowerCase().includes(q)).slice(0, 10);
      bare.add(performance.now() - t0);
    }

    const m = messages.samples.summary();
    const a = alerts.samples.summary();
    const s = search.summary();
    const b = bare.summary();
    const p = sent.summary();
    console.log(
      formatTable(
        [
          { title: `at ${rate}/s for ${seconds} s` },
          { title: 'n', align: 'right' },
          { title: 'p50', align: 'right' },
          { title: 'p99', align: 'right' },
          { title: 'missing', align: 'right' },
        ],
        [
          [
            'message: POST → recipient frame',
            m.count,
            formatMs(m.p50Ms),
            formatMs(m.p99Ms),
            messages.sentAt.size,
          ],
          ['message: POST → "sent" answer', p.count, formatMs(p.p50Ms), formatMs(p.p99Ms), refused],
          [
            'baseline: HL7 critical → alert frame',
            a.count,
            formatMs(a.p50Ms),
            formatMs(a.p99Ms),
            alerts.sentAt.size,
          ],
          [
            'recipient search (10k people, 500 assignments)',
            s.count,
            formatMs(s.p50Ms),
            formatMs(s.p99Ms),
            '-',
          ],
          [
            'baseline: bare in-process filter, same names',
            b.count,
            formatMs(b.p50Ms),
            formatMs(b.p99Ms),
            '-',
          ],
        ],
      ),
    );
    console.log(
      `targets:\n${formatTargets([
        {
          label: 'message → frame p99 within 2x the alert path p99',
          measured: m.p99Ms / a.p99Ms,
          threshold: 2,
          direction: 'at-most',
          unit: 'x',
        },
      ])}`,
    );
    await server.stop();
  } catch (err) {
    server.kill();
    throw err;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
