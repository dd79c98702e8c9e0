/**
 * SIP gateway benchmark: calls per second through Switchboard's B2BUA with SIPp as the caller and as the
 * clinician's phone, next to SIPp calling SIPp directly in the same run (the baseline: what the load
 * generator and loopback allow here), plus the INVITE → 100 Trying time the caller sees.
 *
 *   baseline   sipp -sn uac (127.0.0.2) ──────────────────────────────> sipp -sn uas (127.0.0.3)
 *   gateway    sipp bench-caller (127.0.0.2) ──> Switchboard (127.0.0.1) ──> sipp bench-callee (127.0.0.3)
 *              dialling 4100 = the hospitalist on call, looked up in the schedule store for every call
 *
 * Every call of the gateway run is a full call: INVITE, 100, 180, 200, ACK, 100 ms talk, BYE, 200, on both
 * legs, with a call detail record written to SQLite. Rates are offered in turn (interleaved with the
 * baseline); a failed call is any call SIPp does not count as successful.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pino from 'pino';
import { startSwitchboard } from '../src/main.ts';
import { freeUdpPort, SIPP, scenarios, sippAvailable } from '../test/sip/sipp.ts';
import { percentile } from './lib/latency.ts';
import { fullGc } from './lib/memory.ts';
import { formatMs, formatRate, formatRatio, formatTable, formatTargets } from './lib/table.ts';
import { type SocketFigures, UdpWatch } from './lib/udp-counters.ts';

export const about =
  'SIP calls/s through the B2BUA (SIPp → Switchboard → SIPp, on-call lookup, CDR) vs SIPp calling SIPp directly; INVITE → 100 Trying p99';

export const usage = `  --rates LIST        offered call rates per second, comma-separated (default 250,500,1000)
  --seconds N         seconds of calls at each rate (default 10)
  --t1 MS             the gateway's T1 (default 500)`;

/** The kernel caps SO_RCVBUF and SO_SNDBUF at net.core.rmem_max and wmem_max (4 MiB on these machines). */
const SIPP_BUFFER_BYTES = 4 * 1024 * 1024;

interface SippResult {
  successful: number;
  failed: number;
  seconds: number;
  trying: number[];
  code: number;
  /** Datagrams each side's socket dropped (receive buffer full), by role. */
  drops: { caller?: SocketFigures; callee?: SocketFigures; target?: SocketFigures };
  /** CPU time of the two SIPp processes together. */
  sippCpuMs: number;
}

function runSipp(
  args: string[],
  cwd: string,
  timeoutSeconds: number,
  watch: UdpWatch,
): Promise<{ code: number }> {
  return new Promise((resolve) => {
    // SIPp's own socket buffers default to 64 KiB: on a shared machine the load generator then loses
    // datagrams whenever it is descheduled for a few milliseconds, and each loss is a failed call or a
    // retransmission charged to whatever it calls. Both the baseline and the gateway run get the same room.
    const room = ['-buff_size', String(SIPP_BUFFER_BYTES)];
    const child = spawn(SIPP, ['-nostdin', '-timeout', String(timeoutSeconds), ...room, ...args], {
      cwd,
      stdio: 'ignore',
    });
    watch.watchProcess(child.pid);
    const guard = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 10) * 1000);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code: code ?? -1 });
    });
  });
}

/** Successful and failed call counts from SIPp's final screen (-trace_screen). */
function counts(cwd: string, prefix: string): { successful: number; failed: number } {
  const file = readdirSync(cwd).find((f) => f.startsWith(prefix) && f.endsWith('_screen.log'));
  if (!file) return { successful: 0, failed: 0 };
  const text = readFileSync(join(cwd, file), 'utf8');
  const last = (label: string) => {
    const lines = text.split('\n').filter((l) => l.includes(label));
    const cells = lines[lines.length - 1]?.split('|') ?? [];
    return Number(cells[cells.length - 1]?.trim() ?? 0) || 0;
  };
  return { successful: last('Successful call'), failed: last('Failed call') };
}

/** INVITE → 100 Trying times (ms) from -trace_rtt. */
function tryingTimes(cwd: string): number[] {
  const file = readdirSync(cwd).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(join(cwd, file), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split(';'))
    .filter((c) => c.length >= 3 && c[2]?.trim() === 'trying')
    .map((c) => Number(c[1]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
}

async function callRun(options: {
  target: string;
  callerArgs: string[];
  calleeArgs: string[];
  rate: number;
  calls: number;
  prefix: string;
}): Promise<SippResult> {
  const cwd = mkdtempSync(join(tmpdir(), 'sb-bench-sip-'));
  const calleePort = Number(options.calleeArgs[options.calleeArgs.indexOf('-p') + 1]);
  const timeout = Math.ceil(options.calls / options.rate) + 40;
  const callerPort = await freeUdpPort('127.0.0.2');
  const [callerAddress, calleeAddress] = [`127.0.0.2:${callerPort}`, `127.0.0.3:${calleePort}`];
  const watch = new UdpWatch([callerAddress, calleeAddress, options.target]);
  const callee = runSipp(['-i', '127.0.0.3', '-trace_screen', ...options.calleeArgs], cwd, timeout, watch);
  await new Promise((r) => setTimeout(r, 500));
  const started = performance.now();
  const caller = await runSipp(
    [
      options.target,
      ...['-i', '127.0.0.2', '-p', String(callerPort)],
      ...['-r', String(options.rate), '-m', String(options.calls), '-l', String(options.rate * 2)],
      ...['-trace_screen', '-trace_rtt', '-rtt_freq', '1', '-trace_err'],
      ...options.callerArgs,
    ],
    cwd,
    timeout,
    watch,
  );
  const seconds = (performance.now() - started) / 1000;
  // The callee stops by itself after as many calls (-m); a failed run leaves it to its timeout.
  if (caller.code === 0) await callee;
  const seen = watch.stop();
  const c = counts(cwd, options.prefix);
  const result: SippResult = {
    ...c,
    seconds,
    trying: tryingTimes(cwd),
    code: caller.code,
    drops: {
      caller: seen.sockets.get(callerAddress),
      callee: seen.sockets.get(calleeAddress),
      target: options.target === calleeAddress ? undefined : seen.sockets.get(options.target),
    },
    sippCpuMs: [...seen.cpuMs.values()].reduce((a, b) => a + b, 0),
  };
  if (process.env.SB_BENCH_KEEP) console.log(`sipp files kept in ${cwd}`);
  else rmSync(cwd, { recursive: true, force: true });
  return result;
}

/** Garbage collection pauses of this process while it runs: their sum and the longest, in ms. */
function watchGc(): { stop(): { totalMs: number; longestMs: number } } {
  let totalMs = 0;
  let longestMs = 0;
  const take = (entries: PerformanceEntry[]) => {
    for (const e of entries) {
      totalMs += e.duration;
      longestMs = Math.max(longestMs, e.duration);
    }
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      take(observer.takeRecords());
      observer.disconnect();
      return { totalMs, longestMs };
    },
  };
}

/** The V8 heap in use after a full collection, in bytes. */
function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Microseconds per call. */
function perCall(us: number, calls: number): string {
  return calls > 0 ? Math.round(us / calls).toLocaleString('en-US') : '-';
}

function formatDrops(d: SippResult['drops']): string {
  const n = (f: SocketFigures | undefined) => (f ? String(f.drops) : '-');
  return d.target ? `${n(d.caller)}/${n(d.target)}/${n(d.callee)}` : `${n(d.caller)}/-/${n(d.callee)}`;
}

function writeConfig(phone: string, t1: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sip-config-'));
  const zone = 'America/New_York';
  const now = DateTime.now().setZone(zone);
  const fmt = (d: DateTime) => d.toFormat('yyyy-MM-dd HH:mm');
  writeFileSync(
    join(dir, 'switchboard.yaml'),
    `site:\n  name: Bench Hospital\n  timezone: America/New_York\nlisteners:\n  mllp:\n    enabled: false\n  sip:\n    enabled: true\n    host: 127.0.0.1\n    port: 0\n    tcp: false\n    t1Ms: ${t1}\nhttp:\n  enabled: false\nlog:\n  level: silent\n`,
  );
  writeFileSync(
    join(dir, 'directory.yaml'),
    `directory:\n  people:\n    - { id: p-bench, name: Dr. Bench, contacts: [ { kind: sip, address: '${phone}' } ] }\n`,
  );
  writeFileSync(
    join(dir, 'schedules.yaml'),
    `schedules:\n  assignments:\n    - { id: hospitalist, name: Hospitalist, type: oncall }\n  shifts:\n    - { assignment: hospitalist, person: p-bench, start: '${fmt(now.minus({ hours: 1 }).startOf('minute'))}', end: '${fmt(now.plus({ hours: 5 }).startOf('minute'))}', callOrder: 1 }\n`,
  );
  writeFileSync(
    join(dir, 'sip.yaml'),
    `sip:\n  hospitalNumber: '6175550100'\n  trustedAddresses: ['127.0.0.2']\n  dialPlan:\n    - { id: hospitalist, numbers: ['4100'], recipients: [ { onCall: hospitalist } ] }\n`,
  );
  return dir;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '250,500,1000' },
      seconds: { type: 'string', default: '10' },
      t1: { type: 'string', default: '500' },
    },
  });
  if (!sippAvailable) {
    console.log(`sipp not found at ${SIPP}: install Debian package sip-tester`);
    return;
  }
  const rates = values.rates.split(',').map(Number);
  const seconds = Number(values.seconds);
  const rows: (string | number)[][] = [];
  const gc = fullGc();
  const summary: Record<string, { rate: number; failed: number; p99: number }> = {};

  for (const rate of rates) {
    const calls = rate * seconds;
    // Baseline: SIPp calling SIPp directly.
    const uasPort = await freeUdpPort('127.0.0.3');
    const base = await callRun({
      target: `127.0.0.3:${uasPort}`,
      callerArgs: ['-sn', 'uac'],
      calleeArgs: ['-sn', 'uas', '-p', String(uasPort), '-m', String(calls)],
      rate,
      calls,
      prefix: 'uac_',
    });
    rows.push([
      rate,
      'sipp → sipp',
      formatRate(base.successful / base.seconds),
      base.failed + (calls - base.successful - base.failed),
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      perCall(base.sippCpuMs * 1000, calls),
      formatDrops(base.drops),
      '-',
    ]);

    // Through the gateway, a fresh Switchboard per rate.
    const phonePort = await freeUdpPort('127.0.0.3');
    const configDir = writeConfig(`sip:bench@127.0.0.3:${phonePort}`, Number(values.t1));
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-sip-data-'));
    const sb = await startSwitchboard({ configDir, dataDir, env: {}, log: pino({ level: 'silent' }) });
    const heapBefore = heapAfterGc(gc);
    const collections = watchGc();
    const cpuBefore = process.cpuUsage();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const gw = await callRun({
      target: `127.0.0.1:${sb.sip!.port}`,
      callerArgs: ['-sf', join(scenarios, 'bench-caller.xml'), '-s', '4100'],
      calleeArgs: ['-sf', join(scenarios, 'bench-callee.xml'), '-p', String(phonePort), '-m', String(calls)],
      rate,
      calls,
      prefix: 'bench-caller_',
    });
    const cpu = process.cpuUsage(cpuBefore);
    const paused = collections.stop();
    loop.disable();
    // Every call of the run is still inside its transactions' 64*T1 (Timers J, L, M): what they hold is here.
    const heldPerCall = (heapAfterGc(gc) - heapBefore) / calls;
    const stall = loop.max / 1e6;
    const cdrs = (await sb.store.sip.listCalls({ limit: 1_000_000 })).length;
    await sb.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
    const gwRate = gw.successful / gw.seconds;
    const failed = gw.failed + (calls - gw.successful - gw.failed);
    const p50 = percentile(gw.trying, 50);
    const p99 = percentile(gw.trying, 99);
    rows.push([
      rate,
      'sipp → Switchboard → sipp',
      formatRate(gwRate),
      failed,
      formatRatio(gwRate, base.successful / base.seconds),
      `${p50 < 1 ? '<1' : formatMs(p50)} / ${p99 < 1 ? '<1' : formatMs(p99)}`,
      `${Math.round(((cpu.user + cpu.system) / 1e6 / gw.seconds) * 100)} %`,
      `${perCall(cpu.user, calls)} + ${perCall(cpu.system, calls)}`,
      formatMs(stall),
      `${perCall(paused.totalMs * 1000, calls)} / ${formatMs(paused.longestMs)}`,
      (heldPerCall / 1024).toFixed(1),
      perCall(gw.sippCpuMs * 1000, calls),
      formatDrops(gw.drops),
      cdrs,
    ]);
    summary[rate] = { rate: gwRate, failed, p99 };
  }

  console.log(`\nSIP calls through the gateway, ${seconds} s of calls per rate (T1 ${values.t1} ms)`);
  console.log(
    'calls/s: successful calls over the wall time of the caller run (start-up and the last call included);',
  );
  console.log('100 Trying: INVITE to 100 Trying as the SIPp caller measured it (SIPp resolution 1 ms);');
  console.log(
    'gateway CPU: share of one core over the caller run (its tail of retransmissions included); us/call: its CPU time over the calls offered;',
  );
  console.log(
    'GC: garbage collection pauses of the gateway process over the calls offered, and the longest one;',
  );
  console.log(
    "heap KB/call: V8 heap held after the run (full GC) over the calls, each still inside its transactions' 64*T1;",
  );
  console.log(
    'sipp us/call: both SIPp processes together; dropped: datagrams each socket lost to a full receive buffer (/proc/net/udp)\n',
  );
  console.log(
    formatTable(
      [
        { title: 'offered/s', align: 'right' },
        { title: 'path' },
        { title: 'calls/s', align: 'right' },
        { title: 'failed', align: 'right' },
        { title: 'vs direct', align: 'right' },
        { title: '100 Trying p50/p99 ms', align: 'right' },
        { title: 'gateway CPU', align: 'right' },
        { title: 'gateway us/call user + sys', align: 'right' },
        { title: 'longest stall ms', align: 'right' },
        { title: 'GC us/call / longest ms', align: 'right' },
        { title: 'heap KB/call', align: 'right' },
        { title: 'sipp us/call', align: 'right' },
        { title: 'dropped caller/gateway/callee', align: 'right' },
        { title: 'CDRs', align: 'right' },
      ],
      rows,
    ),
  );
  // Issue 13: the best rate any run sustained without a single failed call, and its 100 Trying p99.
  const clean = Object.values(summary).filter((s) => s.failed === 0);
  const best = clean.length ? clean.reduce((a, b) => (b.rate > a.rate ? b : a)) : undefined;
  console.log(
    `\n${formatTargets([
      {
        label: '>= 2,000 calls/s through the gateway with no failed call',
        measured: best?.rate,
        threshold: 2000,
        unit: 'calls/s',
      },
      {
        label: 'INVITE -> 100 Trying p99 <= 20 ms at that rate',
        measured: best?.p99,
        threshold: 20,
        direction: 'at-most',
        unit: 'ms',
        format: formatMs,
      },
    ])}`,
  );
}
