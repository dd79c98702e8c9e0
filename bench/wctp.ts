/**
 * WCTP gateway benchmark: SubmitRequests per second and latency, Switchboard next to a bare fastify
 * endpoint that parses the same XML, in the same run (see bench/README.md, `wctp`):
 *
 *   A  bare-fastify   fastify + decodeBody/parseWctp + a wctp-Confirmation from memory   (the ceiling)
 *   B  durable-fastify  A + the body appended and fdatasync'd (one per turn) before the confirmation
 *                     (the durable floor: no gateway that confirms only what is on the disk is faster)
 *   S  switchboard    startSwitchboard(): credentials, recipient check, durable store, confirm; then
 *                     routing (nurse-call table → tech covering 4W 401-A) and the clinician's WebSocket
 *
 * For S the load generator is also the clinician: it signs in, holds the WebSocket the page holds,
 * answers `delivered` like the page, and times each SubmitRequest from the start of its POST to the
 * arrival of its alert frame. Each server runs in its own child process, fresh for every cell.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { hashPassword } from '../src/kit/passwords.ts';
import { type ChildReport, type ChildServer, launchServer } from './lib/child-server.ts';
import { LatencySamples } from './lib/latency.ts';
import { formatMs, formatRate, formatRatio, formatTable } from './lib/table.ts';

export const about =
  'WCTP SubmitRequest: requests/s, p50/p99 to the confirmation and to the clinician WebSocket frame, vs a bare fastify parse';

export const usage = `  --requests N        SubmitRequests per cell (default 3000)
  --warmup N          SubmitRequests before each cell's window, not counted (default 1000)
  --connections LIST  comma-separated concurrent senders (default 1,16)
  --servers LIST      any of bare-fastify,durable-fastify,switchboard (default all three)
  --data-root DIR     where the temporary data folders go (default the OS temp folder; use a real disk)
  --profile DIR       write a V8 CPU profile of each server child into DIR (bench/lib/cpu-profile.ts reads it)`;

const here = dirname(fileURLToPath(import.meta.url));
const SENDER = { id: 'bench-nursecall', code: 'bench-code' };
/** Marks the warm-up's alerts, which the window does not count. */
const WARM_UP = 'warm-up';

function submitRequest(id: string, text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE wctp-Operation SYSTEM "http://dtd.wctp.org/wctp-dtd-v1r3.dtd">
<wctp-Operation wctpVersion="wctp-dtd-v1r3">
  <wctp-SubmitRequest>
    <wctp-SubmitHeader submitTimestamp="2026-11-22T14:30:00">
      <wctp-Originator senderID="${SENDER.id}" securityCode="${SENDER.code}"/>
      <wctp-MessageControl messageID="${id}" notifyWhenDelivered="false" allowResponse="true" deliveryPriority="NORMAL"/>
      <wctp-Recipient recipientID="4W-401-A-water"/>
    </wctp-SubmitHeader>
    <wctp-Payload>
      <wctp-MCR><wctp-MessageText>${text}</wctp-MessageText><wctp-Choice>Accept</wctp-Choice><wctp-Choice>Reject</wctp-Choice></wctp-MCR>
    </wctp-Payload>
  </wctp-SubmitRequest>
</wctp-Operation>`;
}

async function writeConfig(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-wctp-config-'));
  const hash = await hashPassword('bench');
  writeFileSync(
    join(dir, 'switchboard.yaml'),
    `site:\n  name: Benchmark Hospital\n  timezone: America/New_York\nlisteners:\n  mllp:\n    enabled: false\nhttp:\n  host: 127.0.0.1\n  port: 0\nlog:\n  level: silent\n`,
  );
  writeFileSync(
    join(dir, 'directory.yaml'),
    `directory:\n  people:\n    - { id: tech-bench, name: Bench Tech, contacts: [ { kind: app, address: tech.bench } ] }\n`,
  );
  // No shift window: on duty whenever the benchmark runs.
  writeFileSync(
    join(dir, 'coverage.yaml'),
    `coverage:\n  staff:\n    - { person: tech-bench, role: tech, unit: 4W, beds: [401-A] }\n`,
  );
  writeFileSync(
    join(dir, 'accounts.yaml'),
    `accounts:\n  - { username: tech.bench, person: tech-bench, role: clinician, passwordHash: '${hash}' }\n`,
  );
  writeFileSync(
    join(dir, 'wctp.yaml'),
    `wctp:\n  senders:\n    - { senderID: ${SENDER.id}, securityCode: ${SENDER.code} }\n  recipients:\n    - { match: '{unit}-{room}-{bed}-{event}', nurseCall: true }\n  events:\n    - { id: water, words: [water], priority: low }\n`,
  );
  return dir;
}

interface CellResult {
  server: string;
  connections: number;
  ok: number;
  errors: number;
  wallMs: number;
  confirm: LatencySamples;
  frame?: LatencySamples;
  frames: number;
  cpuPct: number;
  cpuMs: number;
  /** The server's event loop over the window, as shares of it (see ChildReport.mainThread). */
  loop?: { busyPct: number; onCpuPct?: number; runQueuePct?: number };
}

/** The clinician: signs in, holds the WebSocket, reports each alert frame's arrival by title. */
async function clinician(port: number, onAlert: (title: string) => void): Promise<WebSocket> {
  const res = await fetch(`http://127.0.0.1:${port}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'tech.bench', password: 'bench' }),
  });
  const { token } = (await res.json()) as { token: string };
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${encodeURIComponent(token)}`);
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      alert?: { id: number; title: string; myState: string };
    };
    if (frame.type === 'welcome') socket.send(JSON.stringify({ type: 'hello' }));
    if (frame.type === 'alert' && frame.alert) {
      onAlert(frame.alert.title);
      if (frame.alert.myState === 'queued')
        socket.send(JSON.stringify({ type: 'delivered', alertId: frame.alert.id }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** Closed-loop senders: each POSTs the next body once its previous one is answered. */
async function sendAll(
  url: string,
  bodies: readonly string[],
  connections: number,
  answered: (i: number, confirmed: boolean) => void,
  sentAt?: Float64Array,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        if (sentAt) sentAt[i] = performance.now();
        let confirmed = false;
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'text/xml' },
            body: bodies[i],
          });
          const text = await res.text();
          confirmed = res.status === 200 && text.includes('successCode="200"');
        } catch {
          confirmed = false;
        }
        answered(i, confirmed);
      }
    }),
  );
}

async function runCell(
  name: string,
  child: ChildServer,
  requests: number,
  connections: number,
  tag: string,
  warmup: number,
): Promise<CellResult> {
  const url = `http://127.0.0.1:${child.port}/wctp`;
  const sentAt = new Float64Array(requests);
  const seen = new Uint8Array(requests);
  const confirm = new LatencySamples(requests);
  const frame = name === 'switchboard' ? new LatencySamples(requests) : undefined;
  let frames = 0;
  let lastFrameAt = 0;
  let allFrames: () => void = () => {};
  const framesDone = new Promise<void>((r) => {
    allFrames = r;
  });
  let warmFrames = 0;
  let allWarmFrames: () => void = () => {};
  const warmFramesDone = new Promise<void>((r) => {
    allWarmFrames = warmup > 0 ? r : () => {};
    if (warmup === 0) r();
  });
  const socket = frame
    ? await clinician(child.port, (title) => {
        if (title.includes(WARM_UP)) {
          if (++warmFrames === warmup) allWarmFrames();
          return;
        }
        const i = Number(title.slice(title.lastIndexOf('#') + 1));
        // The first frame of each alert counts; later ones are its updates (delivered, answered).
        if (!(i >= 0 && i < requests) || sentAt[i] === 0 || seen[i]) return;
        seen[i] = 1;
        frame.add(performance.now() - sentAt[i]);
        lastFrameAt = performance.now();
        if (++frames === requests) allFrames();
      })
    : undefined;
  // The warm-up, outside the window: the server's code compiled and its start-up garbage collected, so
  // the window measures capacity, not the JIT (a cold Switchboard spent twice its CPU per request).
  const warmBodies = Array.from({ length: warmup }, (_, i) =>
    submitRequest(`${tag}-w${i}`, `Rm 401 Bed A: water ${WARM_UP} ${i}`),
  );
  let warmFailed = 0;
  await sendAll(url, warmBodies, connections, (_i, confirmed) => {
    if (!confirmed) warmFailed++;
  });
  if (warmFailed > 0) throw new Error(`${warmFailed} of ${warmup} warm-up requests were not confirmed`);
  if (socket) await Promise.race([warmFramesDone, new Promise((r) => setTimeout(r, 60_000))]);
  const bodies = Array.from({ length: requests }, (_, i) =>
    submitRequest(`${tag}-${i}`, `Rm 401 Bed A: water #${i}`),
  );
  let ok = 0;
  let errors = 0;
  child.mark();
  const started = performance.now();
  let lastConfirmAt = started;
  await sendAll(
    url,
    bodies,
    connections,
    (i, confirmed) => {
      if (confirmed) ok++;
      else errors++;
      lastConfirmAt = performance.now();
      confirm.add(lastConfirmAt - sentAt[i]!);
    },
    sentAt,
  );
  if (socket) {
    await Promise.race([framesDone, new Promise((r) => setTimeout(r, 60_000))]);
    socket.close();
  }
  const end = socket ? Math.max(lastConfirmAt, lastFrameAt) : lastConfirmAt;
  const report = await child.stop();
  const wallMs = end - started;
  return {
    server: name,
    connections,
    ok,
    errors,
    wallMs,
    confirm,
    frame,
    frames,
    cpuPct: ((report.userCpuMs + report.systemCpuMs) / report.wallMs) * 100,
    cpuMs: report.userCpuMs + report.systemCpuMs,
    ...(report.mainThread ? { loop: loopShares(report.mainThread, report.wallMs) } : {}),
  };
}

function loopShares(main: NonNullable<ChildReport['mainThread']>, wallMs: number): CellResult['loop'] {
  const pct = (ms: number) => (ms / wallMs) * 100;
  return {
    busyPct: pct(main.busyMs),
    ...(main.onCpuMs === undefined ? {} : { onCpuPct: pct(main.onCpuMs) }),
    ...(main.runQueueMs === undefined ? {} : { runQueuePct: pct(main.runQueueMs) }),
  };
}

const percent = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} %`);

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '3000' },
      warmup: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '1,16' },
      servers: { type: 'string', default: 'bare-fastify,durable-fastify,switchboard' },
      'data-root': { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const requests = Number(values.requests);
  const connectionCounts = values.connections.split(',').map(Number);
  const servers = values.servers.split(',');
  const configDir = await writeConfig();
  const results: CellResult[] = [];
  try {
    for (const connections of connectionCounts) {
      for (const server of servers) {
        const dataDir = mkdtempSync(join(values['data-root'] ?? tmpdir(), 'sb-bench-wctp-data-'));
        const args =
          server === 'switchboard'
            ? ['--config-dir', configDir, '--data-dir', dataDir]
            : server === 'durable-fastify'
              ? ['--data-dir', dataDir]
              : [];
        const child = await launchServer(join(here, 'wctp', 'servers', `${server}.ts`), args, {
          execArgv: values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [],
          stopTimeoutMs: 120_000,
        });
        try {
          const r = await runCell(
            server,
            child,
            requests,
            connections,
            `B${Date.now().toString(36)}`,
            Number(values.warmup),
          );
          results.push(r);
          console.error(
            `  ${server} × ${connections}: ${r.ok} confirmed, ${r.errors} errors, ${r.frames} frames`,
          );
        } catch (err) {
          child.kill();
          console.error(`  ${server} × ${connections} failed: ${(err as Error).message}`);
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
  const rateOf = (server: string, connections: number) => {
    const cell = results.find((b) => b.server === server && b.connections === connections);
    return cell ? (cell.ok / cell.wallMs) * 1000 : Number.NaN;
  };
  const labels: Record<string, string> = {
    'bare-fastify': 'A bare fastify parse',
    'durable-fastify': 'B A + append + fdatasync per turn',
    switchboard: 'S Switchboard (store + route + WebSocket)',
  };
  const rows = results.map((r) => {
    const rate = (r.ok / r.wallMs) * 1000;
    const baseRate = rateOf('bare-fastify', r.connections);
    const c = r.confirm.summary();
    const f = r.frame?.summary();
    return [
      labels[r.server] ?? r.server,
      r.connections,
      formatRate(rate),
      formatRatio(rate, baseRate),
      formatRatio(rate, rateOf('durable-fastify', r.connections)),
      formatMs(c.p50Ms),
      formatMs(c.p99Ms),
      f ? formatMs(f.p50Ms) : '-',
      f ? formatMs(f.p99Ms) : '-',
      r.frame ? `${r.frames}/${requests}` : '-',
      r.errors,
      `${Math.round(r.cpuPct)} %`,
      r.ok ? ((r.cpuMs / r.ok) * 1000).toFixed(0) : '-',
      percent(r.loop?.busyPct),
      percent(r.loop?.onCpuPct),
      percent(r.loop?.runQueuePct),
    ];
  });
  console.log(
    `\nWCTP SubmitRequest, ${requests} per cell after ${values.warmup} not counted (S: from POST to the alert frame on the clinician's WebSocket)\n`,
  );
  console.log(
    formatTable(
      [
        { title: 'server' },
        { title: 'senders', align: 'right' },
        { title: 'req/s', align: 'right' },
        { title: 'vs A', align: 'right' },
        { title: 'vs B', align: 'right' },
        { title: 'confirm p50', align: 'right' },
        { title: 'confirm p99', align: 'right' },
        { title: 'frame p50', align: 'right' },
        { title: 'frame p99', align: 'right' },
        { title: 'frames', align: 'right' },
        { title: 'errors', align: 'right' },
        { title: 'server CPU', align: 'right' },
        { title: 'CPU us/req', align: 'right' },
        { title: 'loop busy', align: 'right' },
        { title: 'on CPU', align: 'right' },
        { title: 'CPU wait', align: 'right' },
      ],
      rows,
    ),
  );
  console.log(
    '\nreq/s: confirmed requests over the time from the first POST to the last confirmation (A) or the last alert frame (S).',
  );
  console.log(
    'vs B: against the durable floor of the same run; at one sender no gateway that confirms only what is on the disk passes B.',
  );
  console.log(
    "loop busy / on CPU / CPU wait: the server's main thread over the window, not waiting for I/O / running / ready but waiting for a CPU (Linux schedstat). Busy and waiting means the machine's other processes starve it, not a wait of its own.",
  );
  console.log(
    "CPU us/req: the server's CPU time (all its threads) from the first POST until it stopped, per confirmed request; steadier than req/s on a busy machine.",
  );
}
