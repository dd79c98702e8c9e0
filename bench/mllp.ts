/**
 * MLLP ingest benchmark: how many HL7 messages per second Switchboard receives, stores durably and
 * acknowledges, and how long each sender waits for its ACK, next to two baselines run the same way in
 * the same run (see bench/README.md):
 *
 *   A  bare-ack        node:net + our MLLP framing, ACK from memory          (the network ceiling)
 *   B  sqlite-commit   the same + one SQLite commit (WAL, FULL) per message (the naive durable loop)
 *   C  durable-append  the same + one append+fdatasync per turn, no database  (the durable floor)
 *   S  switchboard     startSwitchboard() from src/main.ts                  (the product)
 *   S0 switchboard-unheld  the same, senders never held for routing (routing.pacing.maxBacklog 0)
 *
 * Each server runs in a child process, fresh for every (server, connections) cell, with a fresh data
 * folder; cells run interleaved (A, B, C, S for 1 connection, then for 8, …) so machine noise spreads
 * over all of them. After each cell the stored rows are counted (database opened read-only), so a figure for
 * B or S is a figure for messages that are on the disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { launchServer } from './lib/child-server.ts';
import { formatMs, formatRate, formatRatio, formatTable, formatTargets } from './lib/table.ts';
import { runLoad } from './mllp/load.ts';
import { admissionTemplate, labResultTemplate } from './mllp/messages.ts';

export const about =
  'HL7 over MLLP: msgs/s and p50/p99 ACK latency, Switchboard vs a bare ACK server and a bare SQLite-commit loop';

export const usage = `  --messages N        messages per cell (default 50000)
  --connections LIST  comma-separated connection counts (default 1,8,32)
  --pipeline N        messages in flight per connection (default 1: stop-and-wait)
  --servers LIST      any of bare-ack,sqlite-commit,durable-append,switchboard,switchboard-unheld (default all)
  --data-root DIR     where the temporary data folders go (default the OS temp folder; use a real disk)
  --profile DIR       write a V8 CPU profile of each Switchboard child into DIR (open in Chrome DevTools)
  --stall-timeout MS  abandon a cell when no ACK arrives for this long (default 30000)`;

const here = dirname(fileURLToPath(import.meta.url));

interface ServerKind {
  name: string;
  label: string;
  file: string;
  /** Whether it stores messages (then its rows are counted after the run). */
  stores: boolean;
  /** How long its graceful stop may take (Switchboard finishes routing its backlog first). */
  stopTimeoutMs: number;
}

const servers: ServerKind[] = [
  {
    name: 'bare-ack',
    label: 'A bare ACK (memory)',
    file: 'mllp/servers/memory-ack.ts',
    stores: false,
    stopTimeoutMs: 30_000,
  },
  {
    name: 'sqlite-commit',
    label: 'B bare SQLite commit',
    file: 'mllp/servers/sqlite-commit.ts',
    stores: true,
    stopTimeoutMs: 30_000,
  },
  {
    name: 'durable-append',
    label: 'C bare durable append',
    file: 'mllp/servers/durable-append.ts',
    stores: false,
    stopTimeoutMs: 30_000,
  },
  {
    name: 'switchboard',
    label: 'Switchboard',
    file: 'mllp/servers/switchboard.ts',
    stores: true,
    stopTimeoutMs: 30 * 60_000,
  },
  {
    name: 'switchboard-unheld',
    label: 'S0 Switchboard unheld',
    file: 'mllp/servers/switchboard-unheld.ts',
    stores: true,
    stopTimeoutMs: 30 * 60_000,
  },
];

interface Cell {
  server: ServerKind;
  connections: number;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  stored?: number;
  serverCpu: number;
  /** Server CPU time (user + system) per accepted message: steadier than rates on a busy machine. */
  serverCpuPerMessageUs: number;
  generatorCpu: number;
  errorSamples: string[];
  /** Load time from the first write to the last ACK. */
  elapsedMs: number;
  /** Switchboard: how long routing took to catch up after the last ACK, and the messages' final statuses. */
  routingDrainMs?: number;
  stopCpuMs: number;
  statuses?: string;
}

const formatSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A cell that could not run (a server that would not start or stop): its reason goes in the errors. */
function failedCell(server: ServerKind, connections: number, err: Error): Cell {
  return {
    server,
    connections,
    rate: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    errors: 1,
    serverCpu: Number.NaN,
    serverCpuPerMessageUs: Number.NaN,
    generatorCpu: Number.NaN,
    errorSamples: [`cell failed: ${err.message}`],
    elapsedMs: Number.NaN,
    stopCpuMs: Number.NaN,
  };
}

const percent = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)}%` : '-');

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got "${text}"`);
  return n;
}

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: 'string', default: '50000' },
      connections: { type: 'string', default: '1,8,32' },
      pipeline: { type: 'string', default: '1' },
      servers: { type: 'string', default: servers.map((s) => s.name).join(',') },
      'data-root': { type: 'string', default: tmpdir() },
      profile: { type: 'string' },
      'stall-timeout': { type: 'string', default: '30000' },
    },
  });
  const chosen = values.servers.split(',').map((name) => {
    const kind = servers.find((s) => s.name === name.trim());
    if (!kind)
      throw new Error(`unknown server "${name}"; choose from ${servers.map((s) => s.name).join(', ')}`);
    return kind;
  });
  return {
    messages: positiveInt(values.messages, '--messages'),
    connections: values.connections.split(',').map((c) => positiveInt(c.trim(), '--connections')),
    pipeline: positiveInt(values.pipeline, '--pipeline'),
    servers: chosen,
    dataRoot: values['data-root'],
    profile: values.profile,
    stallTimeoutMs: positiveInt(values['stall-timeout'], '--stall-timeout'),
  };
}

/**
 * Rows in the server's message table, how many distinct control ids they hold, and (for a table with a
 * status column, i.e. Switchboard's) how many rows have each status.
 */
function countStored(database: string): { rows: number; distinct: number; statuses?: string } {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS rows, count(DISTINCT control_id) AS distinct_ids FROM messages')
      .get() as { rows: number; distinct_ids: number };
    const columns = db.prepare('PRAGMA table_info(messages)').all() as Array<{ name: string }>;
    let statuses: string | undefined;
    if (columns.some((c) => c.name === 'status')) {
      const byStatus = db
        .prepare('SELECT status, count(*) AS n FROM messages GROUP BY status ORDER BY n DESC')
        .all() as Array<{ status: string; n: number }>;
      statuses = byStatus.map((s) => `${s.status} ${s.n}`).join(', ');
      if (byStatus.some((s) => s.status === 'failed')) {
        const why = db
          .prepare("SELECT status_detail FROM messages WHERE status = 'failed' LIMIT 1")
          .get() as {
          status_detail: string | null;
        };
        statuses += ` (first failure: ${why.status_detail ?? 'no detail'})`;
      }
    }
    return { rows: row.rows, distinct: row.distinct_ids, statuses };
  } finally {
    db.close();
  }
}

async function runCell(
  server: ServerKind,
  connections: number,
  opts: ReturnType<typeof options>,
  runTag: string,
): Promise<Cell> {
  const dataDir = mkdtempSync(join(opts.dataRoot, 'sb-bench-data-'));
  const templateOptions = { controlIdPrefix: runTag };
  const templates = [admissionTemplate(templateOptions), labResultTemplate(templateOptions)];
  const execArgv =
    opts.profile && server.name.startsWith('switchboard')
      ? ['--cpu-prof', '--cpu-prof-dir', opts.profile]
      : [];
  let child: Awaited<ReturnType<typeof launchServer>> | undefined;
  try {
    child = await launchServer(join(here, server.file), ['--data-dir', dataDir], {
      execArgv,
      stopTimeoutMs: server.stopTimeoutMs,
    });
    child.mark();
    const generatorCpuBefore = process.cpuUsage();
    const result = await runLoad({
      host: '127.0.0.1',
      port: child.port,
      messages: opts.messages,
      connections,
      pipeline: opts.pipeline,
      templates,
      stallTimeoutMs: opts.stallTimeoutMs,
    });
    const generatorCpu = process.cpuUsage(generatorCpuBefore);
    const report = await child.stop();
    const errorSamples = [...result.errorSamples];
    let errors = result.errors;
    let stored: number | undefined;
    let statuses: string | undefined;
    if (server.stores) {
      const counted = countStored(String(child.info.database));
      stored = counted.rows;
      statuses = counted.statuses;
      // The figure is for durably stored messages: every accepted message must be a row, once.
      if (counted.rows !== opts.messages || counted.distinct !== counted.rows) {
        errors += Math.abs(opts.messages - counted.distinct) || 1;
        errorSamples.push(
          `store holds ${counted.rows} rows (${counted.distinct} distinct ids), expected ${opts.messages}`,
        );
      }
    }
    const latency = result.latencies.summary();
    const wallMs = report.wallMs > 0 ? report.wallMs : result.elapsedMs;
    return {
      server,
      connections,
      rate: result.elapsedMs > 0 ? (result.accepted / result.elapsedMs) * 1000 : Number.NaN,
      p50: latency.p50Ms,
      p99: latency.p99Ms,
      errors,
      stored,
      serverCpu: ((report.userCpuMs + report.systemCpuMs) / wallMs) * 100,
      serverCpuPerMessageUs:
        result.accepted > 0 ? ((report.userCpuMs + report.systemCpuMs) * 1000) / result.accepted : Number.NaN,
      generatorCpu:
        result.elapsedMs > 0
          ? ((generatorCpu.user + generatorCpu.system) / 1000 / result.elapsedMs) * 100
          : Number.NaN,
      errorSamples,
      elapsedMs: result.elapsedMs,
      routingDrainMs: typeof report.info.routingDrainMs === 'number' ? report.info.routingDrainMs : undefined,
      stopCpuMs: report.stopCpuMs,
      statuses,
    };
  } catch (err) {
    child?.kill();
    throw err;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(argv: string[]): Promise<void> {
  const opts = options(argv);
  const sizes = [admissionTemplate(), labResultTemplate()].map((t) => `${t.name} ${t.length} B`).join(', ');
  console.log(
    `MLLP ingest: ${opts.messages.toLocaleString('en-US')} messages per cell (${sizes}), ` +
      `${opts.pipeline === 1 ? 'stop-and-wait' : `${opts.pipeline} in flight`} per connection`,
  );
  console.log(`node ${process.version}, data under ${opts.dataRoot}\n`);

  // A tag unique to this run keeps control ids apart from any earlier run's.
  const runTag = `B${Date.now().toString(36).toUpperCase().slice(-5)}`;
  const cells: Cell[] = [];
  for (const connections of opts.connections) {
    for (const server of opts.servers) {
      const cell = await runCell(server, connections, opts, runTag).catch((err: Error) =>
        failedCell(server, connections, err),
      );
      cells.push(cell);
      console.log(
        `  ${server.label.padEnd(22)} ${String(connections).padStart(3)} conn: ${formatRate(cell.rate).padStart(7)} msgs/s, ` +
          `p50 ${formatMs(cell.p50)} ms, p99 ${formatMs(cell.p99)} ms, errors ${cell.errors}` +
          (cell.routingDrainMs === undefined
            ? ''
            : `, routing caught up ${formatSeconds(cell.routingDrainMs)} later`),
      );
      for (const sample of cell.errorSamples.slice(0, 3)) console.log(`      ${sample}`);
    }
  }

  const baseline = (connections: number) =>
    cells.find((c) => c.server.name === 'bare-ack' && c.connections === connections)?.rate ?? Number.NaN;
  console.log('');
  console.log(
    formatTable(
      [
        { title: 'server' },
        { title: 'connections', align: 'right' },
        { title: 'msgs/s', align: 'right' },
        { title: 'p50 ms', align: 'right' },
        { title: 'p99 ms', align: 'right' },
        { title: 'vs A', align: 'right' },
        { title: 'errors', align: 'right' },
        { title: 'stored', align: 'right' },
        { title: 'server CPU', align: 'right' },
        { title: 'CPU us/msg', align: 'right' },
        { title: 'load CPU', align: 'right' },
      ],
      cells.map((c) => [
        c.server.label,
        c.connections,
        formatRate(c.rate),
        formatMs(c.p50),
        formatMs(c.p99),
        formatRatio(c.rate, baseline(c.connections)),
        c.errors,
        c.stored === undefined ? '-' : c.stored,
        percent(c.serverCpu),
        Number.isFinite(c.serverCpuPerMessageUs) ? c.serverCpuPerMessageUs.toFixed(0) : '-',
        percent(c.generatorCpu),
      ]),
    ),
  );

  const cellOf = (name: string, connections: number) => {
    if (opts.pipeline !== 1) return undefined; // the targets are for stop-and-wait senders
    const cell = cells.find((c) => c.server.name === name && c.connections === connections);
    return cell && cell.errors === 0 ? cell : undefined;
  };
  // Routed end to end against ACKed, as shipped: senders held while routing's backlog is at its bound.
  const held = cellOf('switchboard', 32);
  const routedShare =
    held?.routingDrainMs === undefined ? undefined : held.elapsedMs / (held.elapsedMs + held.routingDrainMs);
  console.log('\nTargets (Switchboard, stop-and-wait, no errors):');
  console.log(
    formatTargets([
      {
        label: '>= 10,000 msgs/s ACKed over 32 connections (S0: the ingest path, senders never held)',
        measured: cellOf('switchboard-unheld', 32)?.rate,
        threshold: 10000,
        unit: 'msgs/s',
      },
      {
        label: '>= 3,000 msgs/s on 1 connection',
        measured: cellOf('switchboard', 1)?.rate,
        threshold: 3000,
        unit: 'msgs/s',
      },
      {
        label: 'routed end to end >= 0.9x the ACK rate over 32 connections (as shipped)',
        measured: routedShare,
        threshold: 0.9,
        unit: 'x',
      },
    ]),
  );
  const floor = cells.find((c) => c.server.name === 'durable-append' && c.connections === 1);
  if (floor && opts.pipeline === 1 && Number.isFinite(floor.rate)) {
    console.log(
      `  the durable floor on 1 connection in this run (C: one round trip + one flush per message, no work): ` +
        `${formatRate(floor.rate)} msgs/s`,
    );
  }
  const routed = cells.filter((c) => c.routingDrainMs !== undefined);
  if (routed.length > 0) {
    console.log(
      '\nSwitchboard routing (asynchronous to the ACK; no rules configured, ADT updates the census):',
    );
    for (const c of routed) {
      const total = c.elapsedMs + (c.routingDrainMs ?? 0);
      console.log(
        `  ${c.server.label.padEnd(22)} ${String(c.connections).padStart(3)} conn: backlog drained ${formatSeconds(c.routingDrainMs ?? 0)} after the last ACK ` +
          `(CPU ${formatSeconds(c.stopCpuMs)}); end to end ${formatRate((opts.messages / total) * 1000)} msgs/s; ` +
          `statuses: ${c.statuses ?? '-'}`,
      );
    }
  }
  if (opts.profile) console.log(`\nCPU profiles of the Switchboard children: ${opts.profile}/*.cpuprofile`);
}
